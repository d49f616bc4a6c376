"""The escalation API's app factory."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from tiepdan_common.app import build_app

from . import config, models  # noqa: F401  (every table mapped before the first query)
from .alert.views import blp as alerts_blp
from .case.jobs import intake_consumer, notify_consumer
from .case.views import blp as cases_blp
from .config import EscalationSettings
from .dialogue.views import blp as dialogues_blp
from .hotspot.views import blp as hotspots_blp
from .incident.views import blp as incidents_blp
from .plan363.views import blp as plan363_blp
from .policy.views import blp as policies_blp
from .province.views import blp as province_blp
from .report.views import blp as reports_blp
from .roster import directory as officer_directory
from .seed import seed_defaults
from .summary.views import blp as summary_blp
from .task.views import blp as tasks_blp
from .unit import service as unit_copy
from .unit.jobs import reference_consumer

VERSION = "0.2.0"


def consumers(settings: EscalationSettings) -> list:
    """Every consumer the escalation worker runs."""
    return [
        intake_consumer(
            mass_case_size=settings.mass_case_size, reference_dir=settings.reference_dir, clock=settings.clock
        ),
        notify_consumer(),
        reference_consumer(reference_dir=settings.reference_dir, clock=settings.clock),
    ]


def create_app(settings: EscalationSettings | dict | None = None) -> Flask:
    """Create the escalation app; ``settings`` may be overrides of the environment's."""
    if not isinstance(settings, EscalationSettings):
        settings = config.load(settings)
    app = build_app(
        settings=settings,
        title="tiepdan escalation",
        version=VERSION,
        description="Cases, escalation policies, hot spots, police incidents and alerts, province requests.",
        # The report blueprints come before the cases one: /cases/report and /cases/plan363 are not case ids.
        blueprints=[
            reports_blp,
            plan363_blp,
            cases_blp,
            dialogues_blp,
            policies_blp,
            hotspots_blp,
            incidents_blp,
            alerts_blp,
            province_blp,
            summary_blp,
            tasks_blp,
        ],
        migrations_path=Path(__file__).parent / "migrations",
        consumers_factory=lambda: consumers(settings),
    )
    app.extensions["escalation"] = {"officers": officer_directory(settings)}

    @app.cli.command("seed")
    def seed() -> None:
        """Seed the default escalation policies and hot-spot rules (missing ones only) and the unit copy."""
        with app.extensions["tiepdan"]["db"].session() as session:
            policies, rules = seed_defaults(session)
            units = unit_copy.seed(db_session=session, reference_dir=settings.reference_dir)
        click.echo(f"escalation: {policies} policies, {rules} hot-spot rules and {units} unit versions added")

    return app
