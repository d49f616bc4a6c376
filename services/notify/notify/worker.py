"""Notify's two background processes.

``notify-worker``: the outbox relay, the consumers that turn events into messages, the stuck-deliveries
summary and the roster contacts. ``notify-sender``: sends the deliveries that are due (email, SMS,
webhooks, retries and ladder steps). Sending talks to outside servers and takes CPU in bursts (an
active hot spot tells leaders and the police at once by SMS and email); in its own process it neither
holds up nor shares an interpreter lock with the consumers, and it can be scaled or restarted alone.
Two senders never send one delivery twice: each claims what it sends (``delivery.sender.send_due``).
"""

from __future__ import annotations

import os

from tiepdan_common.app import build_worker
from tiepdan_common.db import Database
from tiepdan_common.logging import configure_logging
from tiepdan_common.worker import PeriodicTask, Worker

from . import config
from .audience.contacts import sync_contacts
from .channels.registry import build_channels
from .config import NotifySettings
from .consumers import consumers, roster_client
from .database import ProcessedMessage, outbox
from .delivery.sender import send_due
from .delivery.stuck import report_stuck

TOKEN_CHECK_SECONDS = 10.0  # how often the roster client's token is checked (renewed a third of a lifetime ahead)


def sender_tasks(settings: NotifySettings, db: Database) -> list[PeriodicTask]:
    """The sender's tasks: ``NOTIFY_SENDER_THREADS`` of them, each sending what is due while there is work.

    An SMS provider or a mail server answers in tens to hundreds of milliseconds; while one thread waits
    for an answer, the others send. They share nothing but the database, where each claims what it sends
    (as two senders do), and each keeps its own connections to the providers.
    """
    channels = build_channels(settings)

    def deliver() -> None:
        while sum(send_due(db, channels=channels, settings=settings).values()):
            pass  # keep going while there is work; the task's interval applies once it is done

    threads = max(1, settings.sender_threads)
    return [
        PeriodicTask(f"deliveries-{n}" if threads > 1 else "deliveries", deliver, settings.delivery_poll_seconds)
        for n in range(1, threads + 1)
    ]


def worker_tasks(settings: NotifySettings, db: Database, roster=None) -> list[PeriodicTask]:
    """The worker's timers: the stuck-deliveries summary, refreshing contacts from roster, and the roster
    client's token, got at the start and renewed ahead of its expiry (``RosterClient.refresh_token``) so
    that no event waits for one. Give ``roster`` the consumers' client for the last to serve them."""
    clock = settings.clock
    roster = roster or roster_client(settings)

    def stuck() -> None:
        with db.session() as session:
            report_stuck(db_session=session, settings=settings, now=clock())

    def contacts() -> None:
        with db.session() as session:
            sync_contacts(db_session=session, roster=roster, now=clock())

    return [
        PeriodicTask("stuck-deliveries", stuck, settings.stuck_summary_seconds),
        PeriodicTask("roster-contacts", contacts, settings.roster_sync_seconds),
        PeriodicTask("roster-token", roster.refresh_token, TOKEN_CHECK_SECONDS),
    ]


def main() -> None:
    """``notify-worker``."""
    settings = config.load()
    db = Database(settings.database_url)
    roster = roster_client(settings)  # one client, one token, for the consumers and the timers
    worker = build_worker(
        settings=settings,
        db=db,
        outbox=outbox,
        processed_model=ProcessedMessage,
        consumers=consumers(settings, roster),
        components=worker_tasks(settings, db, roster),
    )
    worker.run_forever()


def sender_main() -> None:
    """``notify-sender``, at the CPU priority ``NOTIFY_SENDER_NICE`` lowers it by (see the README)."""
    settings = config.load()
    configure_logging(settings.service, settings.log_level)
    if settings.sender_nice > 0:
        os.nice(settings.sender_nice)
    Worker(sender_tasks(settings, Database(settings.database_url))).run_forever()


if __name__ == "__main__":
    main()
