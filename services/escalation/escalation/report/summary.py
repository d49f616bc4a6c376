"""The daily situation summary: counted once per local date, even with two workers running."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tiepdan_common.db import Database

from ..alert.models import Alert  # noqa: F401  (mapper configuration)
from ..case import domain as case_domain
from ..case.models import Case
from ..clock import Clock, iso, local, system_clock
from ..database import outbox
from ..hotspot import service as hotspots
from ..hotspot.models import VisitRecord
from ..incident.models import Incident
from ..province import service as province
from .models import DailySummary, OverdueItem

log = logging.getLogger(__name__)


def counts(*, db_session: Session, now: dt.datetime) -> dict:
    """What the leaders read each day: the last 24 hours, and what is still open now."""
    since = now - dt.timedelta(days=1)

    def count(model, *where):
        return db_session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return {
        "visits": count(VisitRecord, VisitRecord.received_at > since, VisitRecord.received_at <= now),
        "mass_visits": count(VisitRecord, VisitRecord.is_mass.is_(True), VisitRecord.received_at > since,
                             VisitRecord.received_at <= now),
        "open_cases": count(Case, Case.status.in_(case_domain.OPEN_STATUSES)),
        "new_cases": count(Case, Case.opened_at > since, Case.opened_at <= now),
        "hotspots_active": hotspots.active_count(db_session=db_session),
        "incidents": count(Incident, Incident.occurred_at > since, Incident.occurred_at <= now),
        "province_requests_open": province.open_count(db_session=db_session),
        "overdue_items": db_session.scalar(select(func.count(func.distinct(OverdueItem.petition_id)))
                                           .where(OverdueItem.seen_at > since)) or 0,
    }


def highlights(values: dict) -> list[str]:
    """A few Vietnamese lines for the message body."""
    lines = [f"{values['visits']} lượt tiếp công dân, trong đó {values['mass_visits']} đoàn đông người",
             f"{values['open_cases']} vụ việc đang theo dõi ({values['new_cases']} vụ việc mới)"]
    if values["hotspots_active"]:
        lines.append(f"{values['hotspots_active']} điểm nóng đang hoạt động")
    if values["incidents"]:
        lines.append(f"{values['incidents']} vụ việc an ninh trật tự do công an báo cáo")
    if values["province_requests_open"]:
        lines.append(f"{values['province_requests_open']} yêu cầu của tỉnh chưa hoàn thành")
    if values["overdue_items"]:
        lines.append(f"{values['overdue_items']} đơn quá hạn giải quyết")
    return lines


def due_date(now: dt.datetime, hour: int) -> dt.date | None:
    """The local date whose summary is due at ``now`` (from ``hour`` o'clock local), else None."""
    here = local(now)
    return here.date() if here.hour >= hour else None


def emit_if_due(*, db: Database, now: dt.datetime, hour: int) -> bool:
    """Write today's summary and its event once; a second worker's insert fails on the date key."""
    date = due_date(now, hour)
    if date is None:
        return False
    with db.sessionmaker() as session:
        if session.get(DailySummary, date) is not None:
            return False
        values = counts(db_session=session, now=now)
        session.add(DailySummary(date=date, generated_at=now, counts=values))
        outbox.add(session, "escalation.daily_summary.ready", {
            "date": date.isoformat(), "generated_at": iso(now), **values, "highlights": highlights(values)})
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    log.info("daily summary for %s sent", date)
    return True


class DailySummaryTask:
    """A worker component that checks every ``interval`` seconds whether today's summary is due."""

    name = "daily-summary"

    def __init__(self, db: Database, *, hour: int, clock: Clock = system_clock, interval: float = 30.0) -> None:
        self.db, self.hour, self.clock, self.interval = db, hour, clock, interval

    def run(self, stop) -> None:
        while not stop.is_set():
            try:
                emit_if_due(db=self.db, now=self.clock(), hour=self.hour)
            except Exception:
                log.exception("daily summary failed")
            stop.wait(self.interval)
