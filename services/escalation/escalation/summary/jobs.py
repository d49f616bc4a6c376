"""The worker's daily summary: each local date's summary sent once its hour has passed, and the dates a worker
that was down missed (at most ``catch_up_days`` back). The primary key of ``daily_summaries`` (the date) makes
a second worker's insert fail: never twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tiepdan_common.clock import Clock, local, utcnow
from tiepdan_common.db import Database

from ..clock import iso
from ..database import outbox
from .models import DailySummary
from .service import counts, current_counts, highlights, period

log = logging.getLogger(__name__)


def due_date(now: dt.datetime, hour: int) -> dt.date:
    """The latest local date whose summary hour has passed at ``now``."""
    here = local(now)
    return here.date() if here.hour >= hour else here.date() - dt.timedelta(days=1)


def emit(*, db: Database, date: dt.date, hour: int, now: dt.datetime, late: bool) -> bool:
    """Write a date's summary and its event once; a second worker's insert fails on the date key."""
    start, end = period(date, hour)
    with db.sessionmaker() as session:
        if session.get(DailySummary, date) is not None:
            return False
        # Sent on time, the present state; caught up later, the state at the date's hour.
        values = (
            counts(db_session=session, now=end, since=start) if late else current_counts(db_session=session, now=now)
        )
        session.add(DailySummary(date=date, generated_at=now, counts=values, late=late))
        outbox.add(
            session,
            "escalation.daily_summary.ready",
            {"date": date.isoformat(), "generated_at": iso(now), **values, "highlights": highlights(values)},
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    log.info("daily summary for %s sent%s", date, " (caught up)" if late else "")
    return True


def emit_if_due(*, db: Database, now: dt.datetime, hour: int) -> bool:
    """Send today's summary if its hour has passed and it was not sent."""
    here = local(now)
    if here.hour < hour:
        return False
    return emit(db=db, date=here.date(), hour=hour, now=now, late=False)


def catch_up(*, db: Database, now: dt.datetime, hour: int, days: int = 7) -> list[dt.date]:
    """Send every due summary not sent yet, back to ``days`` days: the dates sent. A new installation (none
    sent ever) starts with today's, at its hour; one that sent before fills the gap since."""
    latest, today = due_date(now, hour), local(now).date()
    with db.sessionmaker() as session:
        first = session.scalar(select(func.min(DailySummary.date)))
        sent = set(
            session.scalars(select(DailySummary.date).where(DailySummary.date >= latest - dt.timedelta(days=days)))
        )
    if first is None:
        dates = [today] if latest == today else []
    else:
        oldest = max(latest - dt.timedelta(days=days), first)
        dates = [oldest + dt.timedelta(days=n) for n in range((latest - oldest).days + 1)]
    # On time: within the summary's hour of today; otherwise counted as things stood at the date's hour.
    on_time = local(now).hour == hour
    return [
        d for d in dates if d not in sent and emit(db=db, date=d, hour=hour, now=now, late=not (on_time and d == today))
    ]


class DailySummaryTask:
    """A worker component: at start and every ``interval`` seconds, sends the summaries due and not sent."""

    name = "daily-summary"

    def __init__(
        self, db: Database, *, hour: int, clock: Clock = utcnow, interval: float = 30.0, catch_up_days: int = 7
    ) -> None:
        self.db, self.hour, self.clock, self.interval, self.days = db, hour, clock, interval, catch_up_days

    def run(self, stop) -> None:
        while not stop.is_set():
            try:
                catch_up(db=self.db, now=self.clock(), hour=self.hour, days=self.days)
            except Exception:
                log.exception("daily summary failed")
            stop.wait(self.interval)
