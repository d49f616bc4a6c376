"""The notify worker: outbox relay and the consumers that turn events into messages."""

from __future__ import annotations

from tiepdan_common.app import build_worker
from tiepdan_common.db import Database

from . import config
from .consumers import consumers
from .database import ProcessedMessage, outbox


def main() -> None:
    settings = config.load()
    worker = build_worker(
        settings=settings, db=Database(settings.database_url), outbox=outbox, processed_model=ProcessedMessage,
        consumers=consumers(settings),
    )
    worker.run_forever()


if __name__ == "__main__":
    main()
