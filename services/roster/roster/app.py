"""The roster API's app factory."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask import Flask

from tiepdan_common.app import build_app
from tiepdan_common.clock import today as local_today

from . import calendar, config, reference_sync
from .audit.views import blp as audit_blp
from .config import RosterSettings
from .coverage.views import blp as coverage_blp
from .directory import service as directory_service
from .directory.views import blp as directory_blp
from .duty import changes as duty_changes
from .duty import generation
from .duty import service as duty_service
from .duty.views import blp as duty_blp
from .exports.views import blp as exports_blp
from .leave.views import blp as leave_blp
from .reception.duties import FILE_NAME as DUTIES_FILE
from .reception.duties import DutyBook
from .reception.views import blp as reception_blp
from .swaps.views import blp as swaps_blp

VERSION = "0.1.0"

NA_SESSION = ("QH15-KH7", "Kỳ họp thứ 7, Quốc hội khóa XV", dt.date(2024, 5, 20), dt.date(2024, 6, 29))


def create_app(settings: RosterSettings | dict | None = None) -> Flask:
    """Create the roster app; ``settings`` may be overrides of the environment's (``{"clock": fake}`` in tests)."""
    if not isinstance(settings, RosterSettings):
        settings = config.load(settings)
    app = build_app(
        settings=settings,
        title="tiepdan roster",
        version=VERSION,
        description="Agencies, officers, the duty roster, who is on duty and which leader is on call.",
        blueprints=[
            directory_blp,
            duty_blp,
            leave_blp,
            swaps_blp,
            coverage_blp,
            reception_blp,
            exports_blp,
            audit_blp,
        ],
        migrations_path=Path(__file__).parent / "migrations",
        consumers_factory=lambda: [reference_sync.consumer(settings)],
    )
    max_age = settings.calendar_max_age_seconds
    work_calendar = calendar.install(app, settings.reference_dir, max_age)
    app.extensions.setdefault("roster", {})["reception_duties"] = DutyBook.load(
        Path(settings.reference_dir) / DUTIES_FILE
    )
    db = app.extensions["tiepdan"]["db"]

    @app.cli.command("seed")
    @click.option("--reference-dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--demo", "demo_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--days-ahead", default=60, show_default=True)
    def seed(reference_dir: Path | None, demo_path: Path | None, days_ahead: int) -> None:
        """Load agencies and officers, the NA session and a current period covering today."""
        work = (calendar.install(app, reference_dir, max_age) if reference_dir else work_calendar).get()
        today = local_today(settings.clock)
        last_day = dt.date(work.last_year, 12, 31)  # the standing roster stops where the calendar's data does
        if today + dt.timedelta(days=days_ahead) > last_day:
            click.echo(f"roster: the working-day calendar ends on {last_day}; add the next year to holidays-vn.json")
        with db.session() as session, session.no_autoflush:  # one flush per step, not one per merged row
            counts = {"requirements": len(duty_service.ensure_requirements(db_session=session))}
            if demo_path:
                counts |= directory_service.seed(db_session=session, demo=json.loads(demo_path.read_text("utf-8")))
            code, name, start, end = NA_SESSION
            periods = [
                duty_changes.ensure_period(db_session=session, code=code, name=name, starts_on=start, ends_on=end)
            ]
            periods.append(
                duty_changes.ensure_period(
                    db_session=session,
                    code="CURRENT",
                    name="Trực tiếp công dân thường xuyên",
                    kind="ordinary",
                    starts_on=today - dt.timedelta(days=7),
                    ends_on=min(today + dt.timedelta(days=days_ahead), last_day),
                )
            )
            if demo_path:
                counts["assignments"] = sum(
                    generation.generate(db_session=session, period=p, calendar=work, now=settings.clock())
                    for p in periods
                )
        click.echo(f"roster: seeded {counts}")

    @app.cli.command("catch-up")
    def catch_up() -> None:
        """Bring the calendar copy in line with intake's calendar (the file's alone if intake cannot be asked)
        and regenerate the periods that no longer follow it."""
        result = reference_sync.catch_up_with_intake(db, settings)
        click.echo(f"roster: calendar catch-up {result}")

    return app
