"""The daily situation summary (báo cáo tình hình hằng ngày): readable for any date, sent once per local date.

A date's summary covers the 24 hours up to the summary hour of that date (Asia/Ho_Chi_Minh), and what was
open at that hour. The worker sends each date's once its hour has passed; a worker that was down at that hour
sends the dates it missed when it comes back (at most ``catch_up_days`` back). The primary key of
``daily_summaries`` (the date) makes a second worker's insert fail: never twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.clock import LOCAL, Clock, local, utcnow
from tiepdan_common.db import Database

from ..alert.models import Alert  # noqa: F401  (mapper configuration)
from ..case import domain as case_domain
from ..case.models import Case
from ..clock import iso
from ..database import outbox
from ..hotspot import service as hotspots
from ..hotspot.models import Hotspot, VisitRecord
from ..incident.models import Incident
from ..province import service as province
from ..province.models import ProvinceRequest
from .models import DailySummary, OverdueItem

log = logging.getLogger(__name__)

# What each count means, for people (Vietnamese) and in the order the leaders read them.
LABELS = {
    "visits": "Lượt tiếp công dân",
    "mass_visits": "Đoàn đông người",
    "new_cases": "Vụ việc mới",
    "open_cases": "Vụ việc đang theo dõi",
    "hotspots_active": "Điểm nóng đang hoạt động",
    "incidents": "Vụ việc an ninh trật tự do công an báo cáo",
    "province_requests_open": "Yêu cầu của tỉnh chưa hoàn thành",
    "overdue_items": "Đơn quá hạn giải quyết",
}


def period(date: dt.date, hour: int) -> tuple[dt.datetime, dt.datetime]:
    """The 24 hours a date's summary covers: up to ``hour`` o'clock local time that day (in UTC)."""
    end = dt.datetime.combine(date, dt.time(hour), tzinfo=LOCAL).astimezone(dt.UTC)
    return end - dt.timedelta(days=1), end


def counts(*, db_session: Session, now: dt.datetime, since: dt.datetime | None = None) -> dict:
    """What the leaders read: what happened from ``since`` (24 hours back by default) to ``now``, and what was
    still open at ``now`` (as it is now when ``now`` is the present, from opening and closing times when past)."""
    since = since or now - dt.timedelta(days=1)

    def count(model, *where):
        return db_session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    def open_at(opened, closed):
        return (opened <= now, or_(closed.is_(None), closed > now))

    return {
        "visits": count(VisitRecord, VisitRecord.received_at > since, VisitRecord.received_at <= now),
        "mass_visits": count(
            VisitRecord, VisitRecord.is_mass.is_(True), VisitRecord.received_at > since, VisitRecord.received_at <= now
        ),
        "open_cases": count(Case, *open_at(Case.opened_at, Case.closed_at)),
        "new_cases": count(Case, Case.opened_at > since, Case.opened_at <= now),
        "hotspots_active": count(
            Hotspot, Hotspot.activated_at.is_not(None), *open_at(Hotspot.activated_at, Hotspot.defused_at)
        ),
        "incidents": count(Incident, Incident.occurred_at > since, Incident.occurred_at <= now),
        "province_requests_open": count(
            ProvinceRequest, *open_at(ProvinceRequest.received_at, ProvinceRequest.completed_at)
        ),
        "overdue_items": db_session.scalar(
            select(func.count(func.distinct(OverdueItem.petition_id))).where(
                OverdueItem.seen_at > since, OverdueItem.seen_at <= now
            )
        )
        or 0,
    }


def current_counts(*, db_session: Session, now: dt.datetime, since: dt.datetime | None = None) -> dict:
    """:func:`counts` to the present: what is open counted by its status right now."""
    since = since or now - dt.timedelta(days=1)
    values = counts(db_session=db_session, now=now, since=since)
    values.update(
        {
            "open_cases": db_session.scalar(
                select(func.count()).select_from(Case).where(Case.status.in_(case_domain.OPEN_STATUSES))
            )
            or 0,
            "hotspots_active": hotspots.active_count(db_session=db_session),
            "province_requests_open": province.open_count(db_session=db_session),
            "overdue_items": db_session.scalar(
                select(func.count(func.distinct(OverdueItem.petition_id))).where(OverdueItem.seen_at > since)
            )
            or 0,
        }
    )
    return values


def highlights(values: dict) -> list[str]:
    """A few Vietnamese lines for the message body."""
    lines = [
        f"{values['visits']} lượt tiếp công dân, trong đó {values['mass_visits']} đoàn đông người",
        f"{values['open_cases']} vụ việc đang theo dõi ({values['new_cases']} vụ việc mới)",
    ]
    if values["hotspots_active"]:
        lines.append(f"{values['hotspots_active']} điểm nóng đang hoạt động")
    if values["incidents"]:
        lines.append(f"{values['incidents']} vụ việc an ninh trật tự do công an báo cáo")
    if values["province_requests_open"]:
        lines.append(f"{values['province_requests_open']} yêu cầu của tỉnh chưa hoàn thành")
    if values["overdue_items"]:
        lines.append(f"{values['overdue_items']} đơn quá hạn giải quyết")
    return lines


def for_date(*, db_session: Session, date: dt.date, hour: int, now: dt.datetime) -> dict:
    """A date's summary as people read it: the one sent if it was, else counted now (to ``now`` at most)."""
    start, end = period(date, hour)
    sent = db_session.get(DailySummary, date)
    if sent is not None:
        values = dict(sent.counts)
    elif end >= now:  # the day so far
        values = current_counts(db_session=db_session, now=now, since=start)
    else:
        values = counts(db_session=db_session, now=end, since=start)
    until = min(end, now)
    return {
        "date": date,
        "title": f"Báo cáo tình hình ngày {date:%d/%m/%Y}",
        "period_label": f"Từ {local(start):%H:%M ngày %d/%m/%Y} đến {local(until):%H:%M ngày %d/%m/%Y}",
        "period_from": start,
        "period_to": until,
        "complete": end <= now,
        "items": [{"key": key, "label": label, "value": values.get(key, 0)} for key, label in LABELS.items()],
        "counts": values,
        "highlights": highlights(values),
        "sent_at": sent.generated_at if sent else None,
        "sent_late": sent.late if sent else None,
    }


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
