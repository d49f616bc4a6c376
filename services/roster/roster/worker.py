"""The roster worker: catches up with the calendar, then publishes roster's outbox, follows intake's
holidays, sends shift-starting reminders and announces coverage gaps."""

from __future__ import annotations

import logging
from pathlib import Path

from tiepdan_common.app import build_worker
from tiepdan_common.db import Database
from tiepdan_common.worker import PeriodicTask, Worker

from . import calendar, config, reference_sync
from .config import RosterSettings
from .coverage import jobs as coverage_jobs
from .database import ProcessedMessage, outbox
from .duty import jobs as duty_jobs

log = logging.getLogger(__name__)


def components(settings: RosterSettings, db: Database) -> list[PeriodicTask]:
    """The roster's timers."""
    return [
        PeriodicTask("shift-reminders", lambda: duty_jobs.remind_once(db, settings), settings.reminder_poll_seconds),
        PeriodicTask(
            "coverage-gaps", lambda: coverage_jobs.check_coverage_once(db, settings), settings.coverage_poll_seconds
        ),
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
