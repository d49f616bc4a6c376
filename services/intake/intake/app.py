"""The intake API's app factory."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from tiepdan_common.app import build_app
from tiepdan_common.config import Settings

from . import config
from .reference import service as reference_service
from .reference.views import blp as reference_blp
from .visit.views import blp as visits_blp

VERSION = "0.1.0"


def create_app(settings: Settings | dict | None = None) -> Flask:
    """Create the intake app; ``settings`` may be overrides of the environment's."""
    if not isinstance(settings, Settings):
        settings = config.load(settings)
    app = build_app(
        settings=settings,
        title="tiepdan intake",
        version=VERSION,
        description="The reception register (visits) and petitions of district and commune desks.",
        blueprints=[visits_blp, reference_blp],
        migrations_path=Path(__file__).parent / "migrations",
    )
    db = app.extensions["tiepdan"]["db"]

    @app.cli.command("seed")
    @click.option("--reference-dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def seed(reference_dir: Path | None) -> None:
        """Load reference data (units, fields, legal rules, holidays)."""
        with db.session() as session:
            counts = reference_service.seed(
                db_session=session, reference_dir=reference_dir or settings.extra["reference_dir"]
            )
        click.echo(f"intake: seeded {counts}")

    return app
