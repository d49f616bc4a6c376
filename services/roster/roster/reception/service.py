"""Publishing leaders' reception days and reporting who is behind."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.calendar import Calendar
from tiepdan_common.errors import Problem, field_error

from .. import calendar as roster_calendar
from ..audit import service as audit
from ..directory.models import Officer
from ..duty.domain import LOCAL
from . import domain
from .models import ReceptionDay


def obligation_of(officer: Officer) -> str | None:
    """The officer's reception obligation, if their post carries one."""
    return domain.obligation(agency_kind=officer.agency.kind, role=officer.role, title=officer.title)


def publish(*, db_session: Session, officer_code: str, day: dt.date, place: str, actor: str,
            now: dt.datetime, calendar: Calendar) -> ReceptionDay:
    """Publish a leader's reception day (it counts only if published five working days ahead)."""
    roster_calendar.require_covered(calendar, "date", day, now.astimezone(LOCAL).date())
    officer = db_session.get(Officer, officer_code)
    if officer is None or not officer.active:
        raise field_error("officer", "no such active officer")
    if day <= now.astimezone(LOCAL).date():
        raise field_error("date", "a reception day is published ahead, not for today or the past")
    if db_session.scalar(select(ReceptionDay).where(ReceptionDay.officer_code == officer_code,
                                                    ReceptionDay.date == day)):
        raise field_error("date", "already published for this officer", status=409, code="conflict")
    row = ReceptionDay(officer_code=officer_code, date=day, place=place, published_at=now, published_by=actor)
    db_session.add(row)
    db_session.flush()
    audit.record(db_session=db_session, at=now, actor=actor, action="reception_day.published",
                 entity="reception_day", entity_id=row.id, detail={"officer": officer_code, "date": day,
                                                                    "place": place})
    return row


def withdraw(*, db_session: Session, day_id: int, actor: str, now: dt.datetime) -> None:
    """Withdraw a published reception day."""
    row = db_session.get(ReceptionDay, day_id)
    if row is None:
        raise Problem(404, "No such reception day.")
    audit.record(db_session=db_session, at=now, actor=actor, action="reception_day.withdrawn",
                 entity="reception_day", entity_id=row.id, detail={"officer": row.officer_code, "date": row.date})
    db_session.delete(row)


def in_time(row: ReceptionDay, calendar: Calendar) -> bool:
    """True when the day was published at least five working days ahead."""
    return domain.published_in_time(row.date, row.published_at.astimezone(LOCAL).date(), calendar)


def list_days(*, db_session: Session, start: dt.date, end: dt.date, officer: str | None = None) -> list[ReceptionDay]:
    """Reception days between two dates (inclusive)."""
    stmt = select(ReceptionDay).where(ReceptionDay.date >= start, ReceptionDay.date <= end)
    if officer:
        stmt = stmt.where(ReceptionDay.officer_code == officer)
    return list(db_session.scalars(stmt.order_by(ReceptionDay.date, ReceptionDay.officer_code)))


def compliance(*, db_session: Session, year: int, month: int, calendar: Calendar) -> list[dict]:
    """For each leader with a reception duty: what the month requires, what counts, and whether they are behind."""
    first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    roster_calendar.require_covered(calendar, "month", first - dt.timedelta(days=30), last + dt.timedelta(days=6))
    days = list_days(db_session=db_session, start=first - dt.timedelta(days=6), end=last + dt.timedelta(days=6))
    rows = []
    for officer in db_session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.code)):
        kind = obligation_of(officer)
        if kind is None:
            continue
        mine = [d for d in days if d.officer_code == officer.code]
        counted = [d.date for d in mine if in_time(d, calendar)]
        late = [d.date for d in mine if d.date.month == month and not in_time(d, calendar)]
        if kind != "commune_chair":
            counted = [d for d in counted if first <= d <= last]
        assessed = domain.assess(kind, year, month, counted)
        rows.append({"officer": officer.code, "full_name": officer.full_name, "title": officer.title,
                     "agency": officer.agency_code, "obligation": kind, "rule": domain.OBLIGATIONS[kind],
                     "published_late": late, **assessed})
    return rows
