"""The escalation API's app factory."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from tiepdan_common.app import build_app
from tiepdan_common.config import Settings

from . import config
from .case.consumers import intake_consumer
from .case.views import blp as cases_blp

VERSION = "0.1.0"


def consumers(settings: Settings) -> list:
    """Every consumer the escalation worker runs."""
    return [intake_consumer(mass_case_size=settings.extra["mass_case_size"],
                            reference_dir=settings.extra["reference_dir"])]


def create_app(settings: Settings | dict | None = None) -> Flask:
    """Create the escalation app; ``settings`` may be overrides of the environment's."""
    if not isinstance(settings, Settings):
        settings = config.load(settings)
    app = build_app(
        settings=settings,
        title="tiepdan escalation",
        version=VERSION,
        description="Cases, escalation policies, hot spots, police incidents and alerts, province requests.",
        blueprints=[cases_blp],
        migrations_path=Path(__file__).parent / "migrations",
        consumers_factory=lambda: consumers(settings),
    )

    @app.cli.command("seed")
    def seed() -> None:
        """Escalation has no reference tables to seed yet."""
        click.echo("escalation: nothing to seed")

    return app
