"""The intake worker: publishes intake's outbox and reports overdue petitions (intake consumes no events)."""

from __future__ import annotations

from tiepdan_common.app import build_worker
from tiepdan_common.db import Database
from tiepdan_common.worker import PeriodicTask

from . import config
from .database import ProcessedMessage, outbox
from .petition import overdue


def main() -> None:
    settings = config.load()
    db = Database(settings.database_url)
    worker = build_worker(
        settings=settings,
        db=db,
        outbox=outbox,
        processed_model=ProcessedMessage,
        components=[
            PeriodicTask(
                "overdue-petitions",
                lambda: overdue.run_once(db, clock=settings.clock),
                settings.overdue_interval_seconds,
            )
        ],
    )
    worker.run_forever()


if __name__ == "__main__":
    main()
