"""The worker's hot-spot cooler: hot spots whose rule has ``cool_down_days`` are defused once quiet."""

from __future__ import annotations

import logging

from tiepdan_common.clock import Clock, utcnow
from tiepdan_common.db import Database

from .scopes import cool_down

log = logging.getLogger(__name__)


class HotspotCooler:
    """A worker component: every ``interval`` seconds, cool down the hot spots whose rule says so."""

    name = "hotspot-cooler"

    def __init__(self, db: Database, *, clock: Clock = utcnow, interval: float = 300.0) -> None:
        self.db, self.clock, self.interval = db, clock, interval

    def tick(self) -> int:
        with self.db.sessionmaker() as session:
            cooled = cool_down(db_session=session, now=self.clock())
            session.commit()
            return len(cooled)

    def run(self, stop) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("hot-spot cooling failed")
            stop.wait(self.interval)
