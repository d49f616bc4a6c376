"""The notify worker: outbox relay, the consumers that turn events into messages, and delivery timers."""

from __future__ import annotations

from tiepdan_common.app import build_worker
from tiepdan_common.config import Settings
from tiepdan_common.db import Database
from tiepdan_common.worker import PeriodicTask

from . import config
from .audience.service import sync_contacts
from .channels.registry import build_channels
from .clock import clock_of
from .consumers import consumers, roster_client
from .database import ProcessedMessage, outbox
from .delivery.service import send_due
from .delivery.stuck import report_stuck


def tasks(settings: Settings, db: Database, roster=None) -> list[PeriodicTask]:
    """Sending due deliveries (retries and ladder steps), the stuck summary, refreshing contacts."""
    clock = clock_of(settings)
    channels = build_channels(settings)
    roster = roster or roster_client(settings)
    extra = settings.extra

    def deliver() -> None:
        while sum(send_due(db, channels=channels, extra=extra, clock=clock).values()):
            pass  # keep going while there is work; the task's interval applies once it is done

    def stuck() -> None:
        with db.session() as session:
            report_stuck(db_session=session, settings=settings, now=clock())

    def contacts() -> None:
        with db.session() as session:
            sync_contacts(db_session=session, roster=roster, now=clock())

    return [PeriodicTask("deliveries", deliver, extra["delivery_poll_seconds"]),
            PeriodicTask("stuck-deliveries", stuck, extra["stuck_summary_seconds"]),
            PeriodicTask("roster-contacts", contacts, extra["roster_sync_seconds"])]


def main() -> None:
    settings = config.load()
    db = Database(settings.database_url)
    worker = build_worker(
        settings=settings, db=db, outbox=outbox, processed_model=ProcessedMessage,
        consumers=consumers(settings), components=tasks(settings, db),
    )
    worker.run_forever()


if __name__ == "__main__":
    main()
