"""The intake API's app factory."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from tiepdan_common.app import build_app

from . import config
from .confidential import service as confidential
from .confidential.crypto import IdentityCipher, generate_key
from .confidential.views import blp as identity_reads_blp
from .config import IntakeSettings
from .official.views import blp as official_blp
from .petition.lifecycle_views import blp as petition_lifecycle_blp
from .petition.lifecycle_views import matters_blp
from .petition.views import blp as petitions_blp
from .reference import service as reference_service
from .reference.cache import ReferenceCache
from .reference.views import blp as reference_blp
from .visit.views import blp as visits_blp

VERSION = "0.2.0"


def create_app(settings: IntakeSettings | dict | None = None) -> Flask:
    """Create the intake app; ``settings`` may be overrides of the environment's.

    Refuses to start (IdentityKeyError) without INTAKE_IDENTITY_KEYS unless the
    development key is explicitly allowed.
    """
    if not isinstance(settings, IntakeSettings):
        settings = config.load(settings)
    cipher = IdentityCipher(config.identity_keys(settings))
    app = build_app(
        settings=settings,
        title="tiepdan intake",
        version=VERSION,
        description="The reception register (visits) and petitions of district and commune desks.",
        blueprints=[
            visits_blp,
            petitions_blp,
            petition_lifecycle_blp,
            matters_blp,
            identity_reads_blp,
            reference_blp,
            official_blp,
        ],
        migrations_path=Path(__file__).parent / "migrations",
    )
    app.extensions["intake"] = {
        "cipher": cipher,
        reference_service.EXTENSION_KEY: ReferenceCache(max_age=settings.reference_max_age_seconds),
    }
    db = app.extensions["tiepdan"]["db"]

    @app.cli.command("seed")
    @click.option("--reference-dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def seed(reference_dir: Path | None) -> None:
        """Load reference data (units, fields, legal rules, holidays)."""
        with db.session() as session:
            counts = reference_service.seed(db_session=session, reference_dir=reference_dir or settings.reference_dir)
        # Other processes see the change by its version (within their max age); this one at once.
        app.extensions["intake"][reference_service.EXTENSION_KEY].invalidate()
        click.echo(f"intake: seeded {counts}")

    @app.cli.command("rotate-identity-key")
    def rotate_identity_key() -> None:
        """Re-encrypt every citizen's identity with the first key of INTAKE_IDENTITY_KEYS."""
        from .petition.models import PetitionImage, PetitionSender
        from .visit import finder as visit_finder
        from .visit.models import VisitCitizen

        with db.session() as session:
            count = confidential.rotate_all(db_session=session, models=[VisitCitizen, PetitionSender, PetitionImage])
            visit_finder.reindex(db_session=session)  # the name and phone search indexes, under the new key
        click.echo(f"intake: re-encrypted {count} people and images with the newest identity key")

    @app.cli.command("generate-identity-key")
    def generate_identity_key() -> None:
        """Print a new identity key (put it first in INTAKE_IDENTITY_KEYS, then rotate)."""
        click.echo(generate_key())

    return app
