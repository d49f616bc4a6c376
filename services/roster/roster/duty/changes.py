"""The board's changes to the roster: periods, requirements, and assignments made, overridden or removed by hand."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import local_date
from tiepdan_common.errors import field_error

from .. import calendar as roster_calendar
from ..audit import service as audit
from ..database import outbox
from ..directory.models import Officer
from . import domain
from .models import Assignment, CoverageRequirement, DutyPeriod, Shift
from .service import ensure_requirements, get_assignment, get_period, get_shift, leaves_between, role_pool


def ensure_period(
    *, db_session: Session, code: str, name: str, starts_on: dt.date, ends_on: dt.date, kind: str = "special"
) -> DutyPeriod:
    """The period with ``code``, created or updated to these dates."""
    period = get_period(db_session=db_session, code=code)
    if period is None:
        period = DutyPeriod(code=code, name=name, starts_on=starts_on, ends_on=ends_on, kind=kind)
        db_session.add(period)
    else:
        period.name, period.starts_on, period.ends_on, period.kind = name, starts_on, ends_on, kind
    db_session.flush()
    return period


def create_period(
    *,
    db_session: Session,
    code: str,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    actor: str,
    now: dt.datetime,
    calendar: Calendar,
    kind: str = "special",
) -> DutyPeriod:
    """A new duty period, refused when it overlaps another of its kind (a special one may cover ordinary days)."""
    # The night before the first day is planned too (its standby reaches into the period).
    roster_calendar.require_covered(calendar, "starts_on", starts_on - dt.timedelta(days=1))
    roster_calendar.require_covered(calendar, "ends_on", ends_on)
    if get_period(db_session=db_session, code=code) is not None:
        raise field_error("code", "a period with this code exists", status=409, code="conflict")
    clash = db_session.scalar(
        select(DutyPeriod).where(
            DutyPeriod.starts_on <= ends_on, DutyPeriod.kind == kind, DutyPeriod.ends_on >= starts_on
        )
    )
    if clash is not None:
        raise field_error("starts_on", f"overlaps period {clash.code}", status=409, code="conflict")
    period = ensure_period(db_session=db_session, code=code, name=name, starts_on=starts_on, ends_on=ends_on, kind=kind)
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="period.created",
        entity="period",
        entity_id=code,
        detail={"name": name, "starts_on": starts_on, "ends_on": ends_on, "kind": kind},
    )
    return period


def set_requirement(
    *,
    db_session: Session,
    shift_kind: str,
    duty_role: str,
    agency_kinds: list[str],
    count: int,
    actor: str,
    now: dt.datetime,
) -> CoverageRequirement:
    """Create or change what one kind of shift needs in one duty role (count 0 drops the need)."""
    rows = ensure_requirements(db_session=db_session)
    row = next((r for r in rows if r.shift_kind == shift_kind and r.duty_role == duty_role), None)
    if row is None:
        row = CoverageRequirement(shift_kind=shift_kind, duty_role=duty_role, position=len(rows) + 1)
        db_session.add(row)
    row.agency_kinds, row.count = ",".join(agency_kinds), count
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="requirement.set",
        entity="requirement",
        entity_id=f"{shift_kind}/{duty_role}",
        detail={"agency_kinds": agency_kinds, "count": count},
    )
    db_session.flush()
    return row


def assignment_event(
    *,
    shift: Shift,
    duty_role: str,
    officer: str | None,
    previous: str | None,
    change: str,
    actor: str,
    now: dt.datetime,
) -> dict:
    """The data of a ``roster.assignment.changed`` event."""
    return {
        "shift_id": shift.id,
        "period_code": shift.period.code,
        "shift_kind": shift.kind,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "officer": officer,
        "duty_role": duty_role,
        "change": change,
        "previous_officer": previous,
        "changed_by": actor,
        "changed_at": now.isoformat(),
    }


def announce(
    *,
    db_session: Session,
    shift: Shift,
    duty_role: str,
    officer: str | None,
    previous: str | None,
    change: str,
    actor: str,
    now: dt.datetime,
    note: str = "",
) -> None:
    """Record one assignment change in the audit trail and stage its event."""
    data = assignment_event(
        shift=shift, duty_role=duty_role, officer=officer, previous=previous, change=change, actor=actor, now=now
    )
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action=f"assignment.{change}",
        entity="shift",
        entity_id=shift.id,
        detail={**data, "note": note},
    )
    outbox.add(db_session, "roster.assignment.changed", data)


def check_can_serve(
    *,
    db_session: Session,
    officer_code: str,
    shift: Shift,
    duty_role: str,
    field: str = "officer",
    ignore: Assignment | None = None,
) -> Officer:
    """The officer, if active, of the role's pool, in an agency in force, not on leave and free (else 422/409)."""
    officer = db_session.get(Officer, officer_code)
    if officer is None or not officer.active:
        raise field_error(field, "no such active officer")
    pool = role_pool(db_session=db_session, shift_kind=shift.kind, duty_role=duty_role)
    if not pool:
        raise field_error("duty_role", f"no officer serves as {duty_role} on a {shift.kind} shift")
    if officer.agency.kind not in pool:
        raise field_error(
            field,
            f"an officer of a {officer.agency.kind} agency cannot serve as {duty_role}; "
            f"the role takes officers of: {', '.join(pool)}",
        )
    day = local_date(shift.starts_at)
    if not officer.agency.in_force(day):
        raise field_error(field, f"the officer's agency {officer.agency_code} does not exist on {day.isoformat()}")
    leaves = leaves_between(db_session=db_session, start=shift.starts_at, end=shift.ends_at)
    if officer_code in leaves:
        raise field_error(field, "this officer is on leave during the shift", status=409, code="conflict")
    overlapping = db_session.scalars(
        select(Shift.kind)
        .select_from(Assignment)
        .join(Shift)
        .where(
            Assignment.officer_code == officer_code,
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
            Assignment.id != (ignore.id if ignore else -1),
        )
    ).all()
    if any(domain.clashes(kind, shift.kind) for kind in overlapping):
        raise field_error(field, "this officer is already on duty at that time", status=409, code="conflict")
    return officer


def override(
    *, db_session: Session, assignment_id: int, officer_code: str, actor: str, now: dt.datetime, note: str = ""
) -> Assignment:
    """Put another officer in an assignment's place; the change is pinned against regeneration."""
    assignment = get_assignment(db_session=db_session, assignment_id=assignment_id)
    previous = assignment.officer_code
    if previous == officer_code:
        raise field_error("officer", "this officer already holds the assignment")
    check_can_serve(
        db_session=db_session, officer_code=officer_code, shift=assignment.shift, duty_role=assignment.duty_role
    )
    assignment.officer_code, assignment.source, assignment.note = officer_code, "override", note
    db_session.flush()
    db_session.expire(assignment, ["officer"])
    announce(
        db_session=db_session,
        shift=assignment.shift,
        duty_role=assignment.duty_role,
        officer=officer_code,
        previous=previous,
        change="override",
        actor=actor,
        now=now,
        note=note,
    )
    return assignment


def add_assignment(
    *,
    db_session: Session,
    shift_id: int,
    officer_code: str,
    duty_role: str,
    actor: str,
    now: dt.datetime,
    note: str = "",
) -> Assignment:
    """Add an officer to a shift by hand (kept on regeneration)."""
    shift = get_shift(db_session=db_session, shift_id=shift_id)
    check_can_serve(db_session=db_session, officer_code=officer_code, shift=shift, duty_role=duty_role)
    assignment = Assignment(officer_code=officer_code, duty_role=duty_role, source="manual", note=note)
    shift.assignments.append(assignment)
    db_session.flush()
    announce(
        db_session=db_session,
        shift=shift,
        duty_role=duty_role,
        officer=officer_code,
        previous=None,
        change="assigned",
        actor=actor,
        now=now,
        note=note,
    )
    return assignment


def remove_assignment(*, db_session: Session, assignment_id: int, actor: str, now: dt.datetime) -> None:
    """Take an officer off a shift (the coverage report will show the gap if one opens)."""
    assignment = get_assignment(db_session=db_session, assignment_id=assignment_id)
    shift, previous, role = assignment.shift, assignment.officer_code, assignment.duty_role
    shift.assignments.remove(assignment)
    db_session.flush()
    announce(
        db_session=db_session,
        shift=shift,
        duty_role=role,
        officer=None,
        previous=previous,
        change="removed",
        actor=actor,
        now=now,
    )
