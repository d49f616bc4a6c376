"""Reading the roster: who is on duty at time T, shifts, periods, requirements, the calendar's days."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tiepdan_common.calendar import Calendar
from tiepdan_common.errors import Problem

from ..directory.models import Agency, Officer
from ..leave.models import Leave
from . import domain
from .models import Assignment, CoverageRequirement, DutyPeriod, Shift


def calendar_days(*, calendar: Calendar, year: int | None = None) -> list[dict]:
    """Days off and make-up working days of the calendar, in date order, optionally of one year."""
    first, last = (year, year) if year else (calendar.first_year, calendar.last_year)
    rows = [
        {
            "date": e.date,
            "name": e.name,
            "kind": "day_off",
            "source": e.source,
            "confirmed": e.confirmed,
            "in_exchange_for": None,
        }
        for e in calendar.holidays
        if first <= e.date.year <= last
    ]
    rows += [
        {
            "date": e.date,
            "name": e.name,
            "kind": "makeup_working_day",
            "source": e.source,
            "confirmed": e.confirmed,
            "in_exchange_for": e.in_exchange_for,
        }
        for e in calendar.makeup_working_days
        if first <= e.date.year <= last
    ]
    return sorted(rows, key=lambda r: r["date"])


def get_period(*, db_session: Session, code: str) -> DutyPeriod | None:
    """The period with this code, or None."""
    return db_session.scalar(select(DutyPeriod).where(DutyPeriod.code == code))


def list_periods(*, db_session: Session) -> list[DutyPeriod]:
    """Every duty period, earliest first."""
    return list(db_session.scalars(select(DutyPeriod).order_by(DutyPeriod.starts_on)))


# --------------------------------------------------------------------------- requirements (data)


def ensure_requirements(*, db_session: Session) -> list[CoverageRequirement]:
    """The coverage requirements, seeded from the plan's defaults when the table is empty."""
    rows = list(db_session.scalars(select(CoverageRequirement).order_by(CoverageRequirement.position)))
    if rows:
        return rows
    position = 0
    for shift_kind, roles in domain.REQUIREMENTS.items():
        for duty_role, (kinds, count) in roles.items():
            position += 1
            row = CoverageRequirement(
                shift_kind=shift_kind, duty_role=duty_role, agency_kinds=",".join(kinds), count=count, position=position
            )
            db_session.add(row)
            rows.append(row)
    db_session.flush()
    return rows


def requirements_by_kind(*, db_session: Session) -> dict[str, list[CoverageRequirement]]:
    """Requirements grouped by shift kind, in their order."""
    grouped: dict[str, list[CoverageRequirement]] = {}
    for row in ensure_requirements(db_session=db_session):
        grouped.setdefault(row.shift_kind, []).append(row)
    return grouped


# --------------------------------------------------------------------------- leave, as generation and edits see it


def leaves_between(*, db_session: Session, start: dt.datetime, end: dt.datetime) -> dict[str, list[Leave]]:
    """Active leave overlapping [start, end), by officer."""
    found: dict[str, list[Leave]] = {}
    for leave in db_session.scalars(
        select(Leave).where(Leave.cancelled.is_(False), Leave.starts_at < end, Leave.ends_at > start)
    ):
        found.setdefault(leave.officer_code, []).append(leave)
    return found


def on_leave(leaves: dict[str, list[Leave]], code: str, start: dt.datetime, end: dt.datetime) -> bool:
    """True when ``code`` has leave overlapping [start, end)."""
    return any(domain.overlaps(lv.starts_at, lv.ends_at, start, end) for lv in leaves.get(code, ()))


# --------------------------------------------------------------------------- queries


def on_duty(
    *, db_session: Session, at: dt.datetime, duty_role: str | None = None, agency: str | None = None
) -> list[tuple[Shift, Assignment]]:
    """Every (shift, assignment) covering instant ``at``, optionally of one duty role or agency."""
    stmt = (
        select(Shift)
        .where(Shift.starts_at <= at, Shift.ends_at > at)
        .options(selectinload(Shift.assignments))
        .order_by(Shift.starts_at)
    )
    return _matching(db_session.scalars(stmt), duty_role, agency)


def _matching(shifts, duty_role: str | None, agency: str | None) -> list[tuple[Shift, Assignment]]:
    found = []
    for shift in shifts:
        for assignment in shift.assignments:
            if duty_role and assignment.duty_role != duty_role:
                continue
            if agency and assignment.officer.agency_code != agency:
                continue
            found.append((shift, assignment))
    return found


def on_call(*, db_session: Session, at: dt.datetime) -> tuple[Shift, Assignment] | None:
    """The leader on call at instant ``at``, if any."""
    rows = on_duty(db_session=db_session, at=at, duty_role="leader_on_call")
    return rows[0] if rows else None


def next_on_duty(
    *, db_session: Session, at: dt.datetime, duty_role: str | None = None, agency: str | None = None
) -> list[tuple[Shift, Assignment]]:
    """Who takes over next: the assignments of the first shift starting after ``at`` that matches."""
    stmt = (
        select(Shift.id)
        .join(Shift.assignments)
        .join(Assignment.officer)
        .where(Shift.starts_at > at)
        .order_by(Shift.starts_at, Shift.id)
        .limit(1)
    )
    if duty_role != "leader_on_call":
        stmt = stmt.where(Shift.kind.not_in(domain.ON_CALL_KINDS))
    if duty_role:
        stmt = stmt.where(Assignment.duty_role == duty_role)
    if agency:
        stmt = stmt.where(Officer.agency_code == agency)
    shift_id = db_session.scalar(stmt)
    if shift_id is None:
        return []
    return _matching([db_session.get(Shift, shift_id)], duty_role, agency)


def shifts_between(*, db_session: Session, start: dt.datetime, end: dt.datetime) -> list[Shift]:
    """Shifts overlapping [start, end), with their assignments."""
    return list(
        db_session.scalars(
            select(Shift)
            .where(Shift.starts_at < end, Shift.ends_at > start)
            .options(selectinload(Shift.assignments))
            .order_by(Shift.starts_at, Shift.kind)
        )
    )


def agencies(*, db_session: Session, at: dt.date | None = None) -> list[Agency]:
    """Every agency (or those in force on ``at``), by kind then code."""
    rows = db_session.scalars(select(Agency).order_by(Agency.kind, Agency.code))
    return [a for a in rows if at is None or a.in_force(at)]


def board_on(*, db_session: Session, day: dt.date) -> Agency | None:
    """The reception board in force on ``day``: it names the unit on printed rosters and feeds."""
    return next((a for a in agencies(db_session=db_session, at=day) if a.kind == "board"), None)


# --------------------------------------------------------------------------- one shift or assignment, and who may take it


def get_shift(*, db_session: Session, shift_id: int) -> Shift:
    """One shift, or a 404 problem."""
    shift = db_session.get(Shift, shift_id)
    if shift is None:
        raise Problem(404, "No such shift.")
    return shift


def get_assignment(*, db_session: Session, assignment_id: int) -> Assignment:
    """One assignment, or a 404 problem."""
    assignment = db_session.get(Assignment, assignment_id)
    if assignment is None:
        raise Problem(404, "No such assignment.")
    return assignment


def role_pool(*, db_session: Session, shift_kind: str, duty_role: str) -> tuple[str, ...]:
    """The agency kinds a duty role on this kind of shift draws from (the requirement's; else the role's anywhere)."""
    reqs = ensure_requirements(db_session=db_session)
    exact = [r for r in reqs if r.shift_kind == shift_kind and r.duty_role == duty_role]
    found = exact or [r for r in reqs if r.duty_role == duty_role]
    return tuple(sorted({k for r in found for k in r.kinds}))
