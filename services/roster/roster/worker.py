"""The roster worker: catches up with the calendar, then publishes roster's outbox, follows intake's
holidays, sends shift-starting reminders and announces coverage gaps."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from tiepdan_common.app import build_worker
from tiepdan_common.db import Database
from tiepdan_common.worker import PeriodicTask, Worker

from . import calendar, config, reference_sync, reminders
from .config import RosterSettings
from .coverage import service as coverage
from .database import ProcessedMessage, outbox

log = logging.getLogger(__name__)


def remind_once(db: Database, settings: RosterSettings) -> list[int]:
    """One pass of the reminder timer: stage reminders for shifts starting soon (each shift once)."""
    with db.session() as session:
        return reminders.send_due(
            db_session=session, now=settings.clock(), lead=dt.timedelta(minutes=settings.reminder_minutes)
        )


def check_coverage_once(db: Database, settings: RosterSettings) -> int:
    """One pass of the coverage timer: announce gaps ahead not announced before."""
    try:
        with db.session() as session:
            return coverage.check_ahead(db_session=session, now=settings.clock(), days=settings.coverage_days)[
                "announced"
            ]
    except IntegrityError:
        # Another worker announced some of the same gaps at the same moment; its transaction won.
        log.info("coverage gaps announced concurrently by another worker")
        return 0


def components(settings: RosterSettings, db: Database) -> list[PeriodicTask]:
    """The roster's timers."""
    return [
        PeriodicTask("shift-reminders", lambda: remind_once(db, settings), settings.reminder_poll_seconds),
        PeriodicTask("coverage-gaps", lambda: check_coverage_once(db, settings), settings.coverage_poll_seconds),
    ]


def catch_up(db: Database, settings: RosterSettings) -> dict:
    """Follow the calendar changes no message brought (see ``reference_sync.catch_up``)."""
    with db.session() as session:
        return reference_sync.catch_up(
            session, now=settings.clock(), seed_from=Path(settings.reference_dir) / calendar.FILE_NAME
        )


def build(settings: RosterSettings, db: Database) -> Worker:
    """The worker, after catching up with calendar changes made while roster had no queue to hear them."""
    catch_up(db, settings)
    return build_worker(
        settings=settings,
        db=db,
        outbox=outbox,
        processed_model=ProcessedMessage,
        consumers=[reference_sync.consumer(settings)],
        components=components(settings, db),
    )


def main() -> None:
    """Run the roster worker until stopped."""
    settings = config.load()
    build(settings, Database(settings.database_url)).run_forever()


if __name__ == "__main__":
    main()
