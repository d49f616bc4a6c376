"""The daily situation summary (báo cáo tình hình hằng ngày), readable for any date (``jobs`` sends it).

A date's summary covers the 24 hours up to the summary hour of that date (local time), and what was open
at that hour.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tiepdan_common.clock import LOCAL, local

from ..alert.models import Alert  # noqa: F401  (mapper configuration)
from ..case import domain as case_domain
from ..case.models import Case
from ..hotspot.models import Hotspot, VisitRecord
from ..incident.models import Incident
from ..province.models import ProvinceRequest
from .models import DailySummary, OverdueItem

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

    def count(model, *where) -> int:
        return db_session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    values.update(
        {
            "open_cases": db_session.scalar(
                select(func.count()).select_from(Case).where(Case.status.in_(case_domain.OPEN_STATUSES))
            )
            or 0,
            "hotspots_active": count(Hotspot, Hotspot.status == "active"),
            "province_requests_open": count(ProvinceRequest, ProvinceRequest.status != "completed"),
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


def record_overdue(*, db_session: Session, item: dict) -> None:
    """An overdue petition intake announced (``intake.petition.overdue``), counted in the summaries."""
    db_session.add(
        OverdueItem(
            petition_id=item["petition_id"],
            number=item["number"],
            receiving_unit=item["receiving_unit"],
            field_code=item["field"],
            stage=item["stage"],
            days_overdue=item["days_overdue"],
        )
    )
