"""The life of a swap: asked by one officer, accepted by the other, approved by the board."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error

from ..audit import service as audit
from ..directory.models import Officer
from ..duty import changes as duty_changes
from ..duty import service as duty
from ..duty.models import Assignment
from .models import SwapRequest


def get(*, db_session: Session, swap_id: int) -> SwapRequest:
    """One swap request, or a 404 problem."""
    swap = db_session.get(SwapRequest, swap_id)
    if swap is None:
        raise Problem(404, "No such swap request.")
    return swap


def list_swaps(*, db_session: Session, status: str | None = None, officer: str | None = None) -> list[SwapRequest]:
    """Swap requests, newest first, optionally by status or involving one officer."""
    stmt = select(SwapRequest).order_by(SwapRequest.id.desc()).limit(200)
    if status:
        stmt = stmt.where(SwapRequest.status == status)
    if officer:
        stmt = stmt.where((SwapRequest.requester == officer) | (SwapRequest.counterpart == officer))
    return list(db_session.scalars(stmt))


def ask(
    *,
    db_session: Session,
    assignment_id: int,
    counterpart: str,
    return_assignment_id: int | None,
    reason: str,
    acting_officer: str | None,
    may_act_for_others: bool,
    now: dt.datetime,
) -> SwapRequest:
    """An officer asks ``counterpart`` to take their assignment (and optionally to give one back)."""
    mine = duty.get_assignment(db_session=db_session, assignment_id=assignment_id)
    if not may_act_for_others and acting_officer != mine.officer_code:
        raise field_error("assignment_id", "you can only offer your own assignment", status=403, code="forbidden")
    other = db_session.get(Officer, counterpart)
    if other is None or not other.active:
        raise field_error("counterpart", "no such active officer")
    if counterpart == mine.officer_code:
        raise field_error("counterpart", "cannot swap with oneself")
    if mine.shift.ends_at <= now:
        raise field_error("assignment_id", "this shift is already over", status=409, code="conflict")
    theirs = None
    if return_assignment_id is not None:
        theirs = duty.get_assignment(db_session=db_session, assignment_id=return_assignment_id)
        if theirs.officer_code != counterpart:
            raise field_error("return_assignment_id", "must be an assignment of the counterpart")
    _check_pool(db_session, counterpart, mine, "counterpart")
    if theirs is not None:
        _check_pool(db_session, mine.officer_code, theirs, "return_assignment_id")
    swap = SwapRequest(
        shift_id=mine.shift_id,
        duty_role=mine.duty_role,
        requester=mine.officer_code,
        counterpart=counterpart,
        return_shift_id=theirs.shift_id if theirs else None,
        return_duty_role=theirs.duty_role if theirs else None,
        status="requested",
        reason=reason,
        created_at=now,
    )
    db_session.add(swap)
    db_session.flush()
    _audit(db_session, swap, "swap.requested", acting_officer or "board", now)
    return swap


def accept(
    *, db_session: Session, swap_id: int, acting_officer: str | None, may_act_for_others: bool, now: dt.datetime
) -> SwapRequest:
    """The counterpart agrees."""
    swap = get(db_session=db_session, swap_id=swap_id)
    if not may_act_for_others and acting_officer != swap.counterpart:
        raise Problem(403, "Only the counterpart can accept this swap.", code="forbidden")
    _expect(swap, "requested")
    swap.status = "accepted"
    _audit(db_session, swap, "swap.accepted", acting_officer or "board", now)
    return swap


def approve(*, db_session: Session, swap_id: int, actor: str, now: dt.datetime) -> SwapRequest:
    """The board approves: the assignments change hands and are pinned to their shifts."""
    swap = get(db_session=db_session, swap_id=swap_id)
    _expect(swap, "accepted")
    _hand_over(db_session, swap.shift_id, swap.duty_role, swap.requester, swap.counterpart, actor, now, swap.id)
    if swap.return_shift_id is not None:
        _hand_over(
            db_session,
            swap.return_shift_id,
            swap.return_duty_role,
            swap.counterpart,
            swap.requester,
            actor,
            now,
            swap.id,
            field="return_assignment_id",
        )
    swap.status, swap.decided_at, swap.decided_by = "approved", now, actor
    _audit(db_session, swap, "swap.approved", actor, now)
    return swap


def reject(
    *,
    db_session: Session,
    swap_id: int,
    acting_officer: str | None,
    may_act_for_others: bool,
    actor: str,
    now: dt.datetime,
    cancel: bool = False,
) -> SwapRequest:
    """The counterpart or the board declines; or the requester withdraws (``cancel``)."""
    swap = get(db_session=db_session, swap_id=swap_id)
    allowed = swap.requester if cancel else swap.counterpart
    if not may_act_for_others and acting_officer != allowed:
        raise Problem(403, "You cannot decide this swap.", code="forbidden")
    _expect(swap, "requested", "accepted")
    swap.status, swap.decided_at, swap.decided_by = ("cancelled" if cancel else "rejected"), now, actor
    _audit(db_session, swap, f"swap.{swap.status}", actor, now)
    return swap


def _check_pool(db_session: Session, taker: str, assignment: Assignment, field: str) -> None:
    """A 422 naming ``field`` when ``taker`` is not of the pool the assignment's duty role draws from."""
    officer = db_session.get(Officer, taker)
    pool = duty.role_pool(db_session=db_session, shift_kind=assignment.shift.kind, duty_role=assignment.duty_role)
    if officer is not None and officer.agency.kind not in pool:
        raise field_error(
            field,
            f"an officer of a {officer.agency.kind} agency cannot serve as "
            f"{assignment.duty_role}; the role takes officers of: {', '.join(pool)}",
        )


def _hand_over(
    db_session: Session,
    shift_id: int,
    duty_role: str,
    giver: str,
    taker: str,
    actor: str,
    now: dt.datetime,
    swap_id: int,
    field: str = "counterpart",
) -> None:
    assignment = db_session.scalar(
        select(Assignment).where(
            Assignment.shift_id == shift_id, Assignment.duty_role == duty_role, Assignment.officer_code == giver
        )
    )
    if assignment is None:
        raise Problem(409, f"{giver} no longer holds that assignment; the swap cannot apply.", code="conflict")
    duty_changes.check_can_serve(
        db_session=db_session, officer_code=taker, shift=assignment.shift, duty_role=duty_role, field=field
    )
    assignment.officer_code, assignment.source, assignment.note = taker, "swap", f"Đổi ca #{swap_id} với {giver}"
    db_session.flush()
    db_session.expire(assignment, ["officer"])
    duty_changes.announce(
        db_session=db_session,
        shift=assignment.shift,
        duty_role=duty_role,
        officer=taker,
        previous=giver,
        change="swap",
        actor=actor,
        now=now,
        note=f"swap #{swap_id}",
    )


def _expect(swap: SwapRequest, *states: str) -> None:
    if swap.status not in states:
        raise Problem(409, f"The swap is {swap.status}; expected {' or '.join(states)}.", code="conflict")


def _audit(db_session: Session, swap: SwapRequest, action: str, actor: str, now: dt.datetime) -> None:
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action=action,
        entity="swap",
        entity_id=swap.id,
        detail={
            "shift_id": swap.shift_id,
            "requester": swap.requester,
            "counterpart": swap.counterpart,
            "return_shift_id": swap.return_shift_id,
            "status": swap.status,
        },
    )
