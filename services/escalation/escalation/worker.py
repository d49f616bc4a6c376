"""The escalation worker: outbox relay, consumers of intake's and notify's events, timers, daily summary."""

from __future__ import annotations

from tiepdan_common.app import build_worker
from tiepdan_common.db import Database

from . import config, models  # noqa: F401
from .app import consumers
from .database import ProcessedMessage, outbox
from .hotspot.jobs import HotspotCooler
from .policy.jobs import EscalationTimer
from .province.jobs import DeadlineAlarm
from .summary.jobs import DailySummaryTask
from .task.jobs import TaskReminder


def main() -> None:
    settings = config.load()
    db = Database(settings.database_url)
    worker = build_worker(
        settings=settings,
        db=db,
        outbox=outbox,
        processed_model=ProcessedMessage,
        consumers=consumers(settings),
        components=[
            EscalationTimer(db, clock=settings.clock, interval=settings.timer_interval),
            DailySummaryTask(
                db,
                clock=settings.clock,
                hour=settings.daily_summary_hour,
                catch_up_days=settings.summary_catch_up_days,
            ),
            DeadlineAlarm(db, clock=settings.clock),
            TaskReminder(db, clock=settings.clock),
            HotspotCooler(db, clock=settings.clock),
        ],
    )
    worker.run_forever()


if __name__ == "__main__":
    main()
