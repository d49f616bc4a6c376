"""Recording leave, and covering the shifts of an officer who falls ill or is away."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem, field_error

from ..audit import service as audit
from ..directory.models import Officer
from ..duty import changes as duty_changes
from ..duty import service as duty
from ..duty.domain import clashes, overlaps
from ..duty.models import Assignment, CoverageRequirement, Shift
from .models import Leave


def list_leave(
    *, db_session: Session, officer: str | None = None, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[Leave]:
    """Leave, optionally of one officer and overlapping a range."""
    stmt = select(Leave).where(Leave.cancelled.is_(False)).order_by(Leave.starts_at)
    if officer:
        stmt = stmt.where(Leave.officer_code == officer)
    if start:
        stmt = stmt.where(Leave.ends_at > start)
    if end:
        stmt = stmt.where(Leave.starts_at < end)
    return list(db_session.scalars(stmt))


def record(
    *,
    db_session: Session,
    officer_code: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    cover: bool,
    actor: str,
    now: dt.datetime,
) -> tuple[Leave, list[dict]]:
    """Record leave; with ``cover``, hand the officer's shifts in it (not yet over) to others in the same pool."""
    if db_session.get(Officer, officer_code) is None:
        raise Problem(404, "No such officer.")
    if ends_at <= starts_at:
        raise field_error("ends_at", "must be after starts_at")
    leave = Leave(
        officer_code=officer_code, kind=kind, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=actor
    )
    db_session.add(leave)
    db_session.flush()
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="leave.recorded",
        entity="officer",
        entity_id=officer_code,
        detail={"leave_id": leave.id, "kind": kind, "starts_at": starts_at, "ends_at": ends_at, "reason": reason},
    )
    covered = cover_absence(db_session=db_session, leave=leave, actor=actor, now=now) if cover else []
    return leave, covered


def cancel(*, db_session: Session, leave_id: int, actor: str, now: dt.datetime) -> Leave:
    """Withdraw leave (shifts already handed over stay with whoever covers them)."""
    leave = db_session.get(Leave, leave_id)
    if leave is None or leave.cancelled:
        raise Problem(404, "No such leave.")
    leave.cancelled = True
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="leave.cancelled",
        entity="officer",
        entity_id=leave.officer_code,
        detail={"leave_id": leave.id},
    )
    return leave


def cover_absence(*, db_session: Session, leave: Leave, actor: str, now: dt.datetime) -> list[dict]:
    """Replace the absent officer on each shift of the leave that has not ended; returns what changed."""
    rows = db_session.execute(
        select(Assignment, Shift)
        .join(Shift)
        .where(
            Assignment.officer_code == leave.officer_code,
            Shift.starts_at < leave.ends_at,
            Shift.ends_at > leave.starts_at,
            Shift.ends_at > now,
        )
        .order_by(Shift.starts_at)
    ).all()
    changes = []
    for assignment, shift in rows:
        replacement = pick_replacement(
            db_session=db_session, shift=shift, duty_role=assignment.duty_role, absent=leave.officer_code
        )
        change = {
            "shift_id": shift.id,
            "starts_at": shift.starts_at,
            "duty_role": assignment.duty_role,
            "previous_officer": leave.officer_code,
            "officer": replacement,
        }
        if replacement is not None:
            note = f"Thay {leave.officer_code} ({leave.kind})"
            duty_changes.override(
                db_session=db_session,
                assignment_id=assignment.id,
                officer_code=replacement,
                actor=actor,
                now=now,
                note=note,
            )
        changes.append(change)
    return changes


def pick_replacement(*, db_session: Session, shift: Shift, duty_role: str, absent: str) -> str | None:
    """The least-loaded officer of the requirement's pool free for this shift, or None."""
    req = db_session.scalar(
        select(CoverageRequirement).where(
            CoverageRequirement.shift_kind == shift.kind, CoverageRequirement.duty_role == duty_role
        )
    )
    absent_officer = db_session.get(Officer, absent)
    kinds = req.kinds if req else (absent_officer.agency.kind,)
    day = local_date(shift.starts_at)
    pool = [
        o.code
        for o in db_session.scalars(select(Officer).where(Officer.active.is_(True)))
        if o.agency.kind in kinds and o.code != absent and o.agency.in_force(day)
    ]
    if not pool:
        return None
    busy = {
        code
        for code, kind in db_session.execute(
            select(Assignment.officer_code, Shift.kind)
            .join(Shift)
            .where(Shift.starts_at < shift.ends_at, Shift.ends_at > shift.starts_at)
        )
        if clashes(kind, shift.kind)
    }
    leaves = duty.leaves_between(db_session=db_session, start=shift.starts_at, end=shift.ends_at)
    free = [
        c
        for c in pool
        if c not in busy
        and not any(overlaps(lv.starts_at, lv.ends_at, shift.starts_at, shift.ends_at) for lv in leaves.get(c, ()))
    ]
    if not free:
        return None
    load = dict(
        db_session.execute(
            select(Assignment.officer_code, func.count())
            .join(Shift)
            .where(Shift.period_id == shift.period_id, Assignment.officer_code.in_(free))
            .group_by(Assignment.officer_code)
        ).all()
    )
    return min(free, key=lambda c: (load.get(c, 0), c))
