"""Publishing leaders' reception days and reporting who is behind."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem, field_error

from .. import calendar as roster_calendar
from ..audit import service as audit
from ..directory.models import Officer
from . import domain, duties
from .duties import DutyBook
from .models import ReceptionDay


def obligation_of(officer: Officer) -> str | None:
    """The officer's reception obligation, if their post carries one."""
    return domain.obligation(
        agency_kind=officer.agency.kind, role=officer.role, title=officer.title, unit=officer.agency.unit
    )


def publish(
    *,
    db_session: Session,
    officer_code: str,
    day: dt.date,
    place: str,
    actor: str,
    now: dt.datetime,
    calendar: Calendar,
    book: DutyBook,
    on_behalf_of: str | None = None,
) -> ReceptionDay:
    """Publish a leader's reception day (it counts only if published the rule's working days ahead)."""
    roster_calendar.require_covered(calendar, "date", day, local_date(now))
    officer = db_session.get(Officer, officer_code)
    if officer is None or not officer.active:
        raise field_error("officer", "no such active officer")
    if day <= local_date(now):
        raise field_error("date", "a reception day is published ahead, not for today or the past")
    if on_behalf_of is not None:
        _check_delegation(db_session, officer, on_behalf_of, day, book)
    if db_session.scalar(
        select(ReceptionDay).where(ReceptionDay.officer_code == officer_code, ReceptionDay.date == day)
    ):
        raise field_error("date", "already published for this officer", status=409, code="conflict")
    row = ReceptionDay(
        officer_code=officer_code,
        date=day,
        place=place,
        published_at=now,
        published_by=actor,
        on_behalf_of=on_behalf_of,
    )
    db_session.add(row)
    db_session.flush()
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="reception_day.published",
        entity="reception_day",
        entity_id=row.id,
        detail={"officer": officer_code, "date": day, "place": place, "on_behalf_of": on_behalf_of},
    )
    return row


def _check_delegation(db_session: Session, deputy: Officer, chair_code: str, day: dt.date, book: DutyBook) -> None:
    """A 422 naming on_behalf_of unless the chair has a duty that day which the law lets a deputy of theirs hold."""
    chair = db_session.get(Officer, chair_code)
    kind = obligation_of(chair) if chair is not None and chair.active else None
    duty = book.duty_on(kind, day) if kind else None
    if duty is None:
        raise field_error("on_behalf_of", "this officer has no reception duty on that day")
    if not duty.delegation_allowed:
        raise field_error(
            "on_behalf_of",
            f"from {duty.valid_from.isoformat()} the {duty.holder} receives in person "
            f"and may not delegate to a deputy ({duty.source})",
        )
    if chair.code == deputy.code or chair.agency_code != deputy.agency_code:
        raise field_error("on_behalf_of", "a deputy receives only for the head of their own agency")


def withdraw(*, db_session: Session, day_id: int, actor: str, now: dt.datetime) -> None:
    """Withdraw a published reception day."""
    row = db_session.get(ReceptionDay, day_id)
    if row is None:
        raise Problem(404, "No such reception day.")
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="reception_day.withdrawn",
        entity="reception_day",
        entity_id=row.id,
        detail={"officer": row.officer_code, "date": row.date},
    )
    db_session.delete(row)


def in_time(row: ReceptionDay, calendar: Calendar, book: DutyBook) -> bool:
    """True when the day was published the rule's working days ahead (never for dates the calendar lacks)."""
    published_on = local_date(row.published_at)
    if not (calendar.covers(published_on) and calendar.covers(row.date)):
        return False
    return domain.published_in_time(row.date, published_on, calendar, book.ahead_on(row.date))


def list_days(*, db_session: Session, start: dt.date, end: dt.date, officer: str | None = None) -> list[ReceptionDay]:
    """Reception days between two dates (inclusive)."""
    stmt = select(ReceptionDay).where(ReceptionDay.date >= start, ReceptionDay.date <= end)
    if officer:
        stmt = stmt.where(ReceptionDay.officer_code == officer)
    return list(db_session.scalars(stmt.order_by(ReceptionDay.date, ReceptionDay.officer_code)))


def compliance(*, db_session: Session, year: int, month: int, calendar: Calendar, book: DutyBook) -> list[dict]:
    """For each leader with a duty that month: the rule in force, what it requires, what counts, who is behind."""
    first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    roster_calendar.require_covered(calendar, "month", first - dt.timedelta(days=6), last + dt.timedelta(days=6))
    days = list_days(db_session=db_session, start=first - dt.timedelta(days=6), end=last + dt.timedelta(days=6))
    rows = []
    for officer in db_session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.code)):
        kind = obligation_of(officer)
        if kind is None:
            continue

        def answers(d: ReceptionDay, code=officer.code, kind=kind) -> bool:
            if d.officer_code == code:
                return True
            duty = book.duty_on(kind, d.date)  # a deputy's day counts only while delegation is allowed
            return d.on_behalf_of == code and duty is not None and duty.delegation_allowed

        mine = [d for d in days if answers(d)]
        counted = [d.date for d in mine if in_time(d, calendar, book)]
        assessed = duties.assess(book, kind, year, month, counted)
        if assessed is None:  # no such duty in force that month (a district chair after June 2025)
            continue
        late = [d.date for d in mine if first <= d.date <= last and not in_time(d, calendar, book)]
        rows.append(
            {
                "officer": officer.code,
                "full_name": officer.full_name,
                "title": officer.title,
                "agency": officer.agency_code,
                "obligation": kind,
                "published_late": late,
                **assessed,
            }
        )
    return rows
