"""The notify API's app factory."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from tiepdan_common.app import build_app

from . import config
from .ack.views import blp as ack_blp
from .consumers import consumers
from .delivery.views import blp as deliveries_blp
from .inbox.views import blp as inbox_blp
from .lists.views import blp as lists_blp
from .notices.views import blp as notices_blp
from .rules import service as rules
from .rules.views import blp as rules_blp
from .told.views import blp as told_blp
from .units import service as units

VERSION = "0.1.0"


def create_app(settings: config.NotifySettings | dict | None = None) -> Flask:
    """Create the notify app; ``settings`` may be overrides of the environment's."""
    if not isinstance(settings, config.NotifySettings):
        settings = config.load(settings)
    app = build_app(
        settings=settings,
        title="tiepdan notify",
        version=VERSION,
        description="Who must be told, over which channel, and proof that they were.",
        blueprints=[inbox_blp, deliveries_blp, rules_blp, ack_blp, lists_blp, notices_blp, told_blp],
        migrations_path=Path(__file__).parent / "migrations",
        consumers_factory=lambda: consumers(settings),
    )

    @app.cli.command("seed")
    def seed() -> None:
        """Add the packaged rules, distribution lists and ladders, and the reference files' unit names, that are
        missing (edits, and intake's changes of units, are kept)."""
        with app.extensions["tiepdan"]["db"].session() as session:
            added = rules.seed(db_session=session)
            names = units.seed(session, units.reference_folder(settings.reference_dir))
        click.echo(f"notify: {added} rules, lists and ladders added, {names} unit names")

    return app
