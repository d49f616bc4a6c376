"""The roster worker: publishes roster's outbox, sends shift-starting reminders, announces coverage gaps."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.exc import IntegrityError

from tiepdan_common.app import build_worker
from tiepdan_common.db import Database
from tiepdan_common.worker import PeriodicTask

from . import config, reference_sync, reminders
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


def main() -> None:
    """Run the roster worker until stopped."""
    settings = config.load()
    db = Database(settings.database_url)
    worker = build_worker(
        settings=settings,
        db=db,
        outbox=outbox,
        processed_model=ProcessedMessage,
        consumers=[reference_sync.consumer(settings)],
        components=components(settings, db),
    )
    worker.run_forever()


if __name__ == "__main__":
    main()
