"""The roster worker: catches up with intake's calendar, then publishes roster's outbox, follows intake's
holidays, sends shift-starting reminders and announces coverage gaps."""

from __future__ import annotations

import logging

from tiepdan_common.app import build_worker
from tiepdan_common.db import Database
from tiepdan_common.worker import PeriodicTask, Worker

from . import config, reference_sync
from .config import RosterSettings
from .coverage import jobs as coverage_jobs
from .database import ProcessedMessage, outbox
from .duty import jobs as duty_jobs

log = logging.getLogger(__name__)


class CatchUpRetry:
    """Asks intake again until it has answered once (``make run`` starts the worker and the gateway together)."""

    def __init__(self, db: Database, settings: RosterSettings, *, done: bool) -> None:
        self.db, self.settings, self.done = db, settings, done

    def __call__(self) -> None:
        if not self.done:
            self.done = catch_up(self.db, self.settings)["intake_version"] is not None


def components(settings: RosterSettings, db: Database, *, caught_up: bool = True) -> list[PeriodicTask]:
    """The roster's timers (with the catch-up's retry when the one at start could not ask intake)."""
    return [
        PeriodicTask("shift-reminders", lambda: duty_jobs.remind_once(db, settings), settings.reminder_poll_seconds),
        PeriodicTask(
            "coverage-gaps", lambda: coverage_jobs.check_coverage_once(db, settings), settings.coverage_poll_seconds
        ),
        PeriodicTask("calendar-catch-up", CatchUpRetry(db, settings, done=caught_up), settings.catch_up_retry_seconds),
    ]


def catch_up(db: Database, settings: RosterSettings) -> dict:
    """Follow the calendar changes no message brought (see ``reference_sync.catch_up_with_intake``)."""
    return reference_sync.catch_up_with_intake(db, settings)


def build(settings: RosterSettings, db: Database) -> Worker:
    """The worker, after catching up with calendar changes made while roster had no queue to hear them."""
    caught_up = catch_up(db, settings)["intake_version"] is not None
    return build_worker(
        settings=settings,
        db=db,
        outbox=outbox,
        processed_model=ProcessedMessage,
        consumers=[reference_sync.consumer(settings)],
        components=components(settings, db, caught_up=caught_up),
    )


def main() -> None:
    """Run the roster worker until stopped."""
    settings = config.load()
    build(settings, Database(settings.database_url)).run_forever()


if __name__ == "__main__":
    main()
