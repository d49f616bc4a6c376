"""Starting, firing, acknowledging and stopping a case's escalation; reading and writing policies.

Long because an escalation's states (active, acknowledged, following, settled, ...) move only here, where the
timer's firing and the writes that stop or restart it can be read side by side; the ladder rules are in domain.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local
from tiepdan_common.errors import Problem

from ..case import events, timeline
from ..case.models import Case
from ..clock import iso
from ..database import outbox
from . import domain
from .models import Escalation, EscalationPolicy, EscalationStep


def snapshot(policy: EscalationPolicy) -> dict:
    """What an escalation keeps of its policy when it starts: editing or deleting the policy changes nothing."""
    return {
        "name": policy.name,
        "steps": list(policy.steps or []),
        "repeat_from": policy.repeat_from,
        "max_repeats": policy.max_repeats or 0,
        "progress_timeout_minutes": policy.progress_timeout_minutes,
        "first_wait_minutes": policy.first_wait_minutes or 0,
        "check_in_minutes": policy.check_in_minutes,
    }


def plan_of(*, db_session: Session, escalation: Escalation) -> dict:
    """The policy an escalation runs on: its snapshot (an escalation from before snapshots: its policy now)."""
    if escalation.policy_snapshot:
        return escalation.policy_snapshot
    policy = db_session.get(EscalationPolicy, escalation.policy_id)
    return snapshot(policy) if policy is not None else {"name": "?", "steps": [], "max_repeats": 0}


def steps_of(policy: EscalationPolicy | dict) -> list[domain.Step]:
    raw = policy["steps"] if isinstance(policy, dict) else policy.steps
    return [domain.Step.from_dict(step) for step in raw or []]


def active(*, db_session: Session) -> list[EscalationPolicy]:
    """The active policies, highest priority first."""
    return list(
        db_session.scalars(
            select(EscalationPolicy)
            .where(EscalationPolicy.active.is_(True), EscalationPolicy.deleted_at.is_(None))
            .order_by(EscalationPolicy.priority, EscalationPolicy.name)
        )
    )


def choose_policy(
    *, db_session: Session, case: Case, now: dt.datetime, candidates: list[EscalationPolicy] | None = None
) -> EscalationPolicy | None:
    """The highest-priority active policy whose severity, public-order and hour conditions hold.

    ``candidates``: the active policies (:func:`active`), when the caller has read them already.
    """
    hour = local(now).hour
    for policy in active(db_session=db_session) if candidates is None else candidates:
        if domain.policy_matches(
            severities=policy.severities or [],
            public_order_only=policy.public_order_only,
            hours_from=policy.hours_from,
            hours_to=policy.hours_to,
            severity=case.severity,
            public_order=case.public_order,
            local_hour=hour,
        ):
            return policy
    return None


def start(
    *, db_session: Session, case: Case, now: dt.datetime, active: list[EscalationPolicy] | None = None
) -> Escalation | None:
    """Start the case's escalation, its first step due after the policy's first wait (no policy: none).

    ``active``: the active policies in order, when the caller has read them already.
    """
    policy = choose_policy(db_session=db_session, case=case, now=now, candidates=active)
    if policy is None:
        return None
    index = domain.first(steps_of(policy), public_order=case.public_order)
    if index is None:
        return None
    escalation = Escalation(
        case_id=case.id,
        policy_id=policy.id,
        status="active",
        cycle=0,
        step_index=index,
        repeat=0,
        next_step_at=now + dt.timedelta(minutes=policy.first_wait_minutes or 0),
        updated_at=now,
        policy_snapshot=snapshot(policy),
        failures=0,
    )
    db_session.add(escalation)
    timeline.append(db_session, case, at=now, actor="system", kind="escalation_started", detail={"policy": policy.name})
    return escalation


def for_case(*, db_session: Session, case_id: str, lock: bool = False) -> Escalation | None:
    """The case's escalation; ``lock``: read afresh under a row lock (waits for a timer holding it)."""
    stmt = select(Escalation).where(Escalation.case_id == case_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db_session.scalar(stmt)


def reescalate(
    *, db_session: Session, case: Case, policy: EscalationPolicy, kinds: list[str], now: dt.datetime
) -> bool:
    """Start a new cycle on ``policy`` (its first step due now) for a change that matters.

    An escalation already climbing the same policy's ladder, unacknowledged, goes on as it is.
    """
    index = domain.first(steps_of(policy), public_order=case.public_order)
    if index is None:
        return False
    escalation = for_case(db_session=db_session, case_id=case.id, lock=True)
    if escalation is None:
        escalation = Escalation(case_id=case.id, policy_id=policy.id, cycle=-1, steps_sent=0, version=1)
        db_session.add(escalation)
    elif escalation.status == "active" and escalation.policy_id == policy.id:
        return False
    escalation.policy_id, escalation.policy_snapshot, escalation.failures = policy.id, snapshot(policy), 0
    escalation.status, escalation.cycle, escalation.repeat = "active", (escalation.cycle or 0) + 1, 0
    escalation.step_index, escalation.next_step_at, escalation.updated_at = index, now, now
    timeline.append(
        db_session,
        case,
        at=now,
        actor="system",
        kind="re_escalated",
        detail={"policy": policy.name, "cycle": escalation.cycle, "because": kinds},
    )
    return True


def fire(*, db_session: Session, escalation: Escalation, now: dt.datetime) -> dict | None:
    """Act on a due escalation the caller holds locked; re-checks that it is still live and due.

    Returns the target the step went to (None when nothing was due): the police one raises an alert
    (``flows.fire``)."""
    if (
        escalation.status not in domain.LIVE_STATUSES
        or escalation.next_step_at is None
        or escalation.next_step_at > now
    ):
        return None
    case = db_session.get(Case, escalation.case_id)
    plan = plan_of(db_session=db_session, escalation=escalation)
    steps = steps_of(plan)
    if case.status == "closed":
        escalation.status, escalation.next_step_at = "stopped", None
        return None
    if escalation.status in ("acknowledged", "following"):
        # Acknowledged but no progress in time, or progress reported but no check-in since: climb again.
        kind = "acknowledgement_expired" if escalation.status == "acknowledged" else "check_in_missed"
        index = domain.first(steps, public_order=case.public_order)
        escalation.status, escalation.cycle, escalation.repeat = "active", escalation.cycle + 1, 0
        escalation.step_index = index if index is not None else 0
        detail = {"acknowledged_by": escalation.acknowledged_by, "cycle": escalation.cycle}
        timeline.append(db_session, case, at=now, actor="system", kind=kind, detail=detail)
        events.announce(
            db_session,
            case,
            [{"kind": kind, "from": None, "to": None}],
            now=now,
            re_escalated=True,
            policy=plan.get("name"),
        )
    return _send_step(db_session=db_session, escalation=escalation, case=case, plan=plan, steps=steps, now=now)


def _send_step(
    *, db_session: Session, escalation: Escalation, case: Case, plan: dict, steps: list[domain.Step], now: dt.datetime
) -> dict:
    step = domain.step_at(steps, escalation.step_index)
    target = domain.target(step, case_unit=case.unit, owner_agency=case.owner_agency) if step else None
    if target is None or (target["type"] == "agency" and not target["value"]):
        # A step that cannot run (gone from the policy, or an owner agency the case does not have).
        target = dict(domain.FALLBACK_TARGET)
        _send(
            db_session=db_session,
            escalation=escalation,
            case=case,
            plan=plan,
            steps=steps,
            now=now,
            target=target,
            fallback="no_such_step" if step is None else "no_target",
        )
    else:
        _send(db_session=db_session, escalation=escalation, case=case, plan=plan, steps=steps, now=now, target=target)
    escalation.steps_sent += 1
    escalation.failures = 0
    following = domain.after(
        steps,
        domain.Position(escalation.step_index, escalation.repeat),
        repeat_from=plan.get("repeat_from"),
        max_repeats=plan.get("max_repeats") or 0,
        public_order=case.public_order,
    )
    if following is None:
        escalation.status, escalation.next_step_at = "exhausted", None
        timeline.append(db_session, case, at=now, actor="system", kind="escalation_exhausted", detail={})
    else:
        wait = step.wait_minutes if step else domain.FALLBACK_WAIT_MINUTES
        escalation.step_index, escalation.repeat = following.index, following.repeat
        # The wait runs from when the step was due, so a late timer does not push every later step back.
        base = max(escalation.next_step_at or now, now - dt.timedelta(minutes=wait))
        escalation.next_step_at = base + dt.timedelta(minutes=wait)
    escalation.updated_at = now
    return target


def _send(
    *,
    db_session: Session,
    escalation: Escalation,
    case: Case,
    plan: dict,
    steps: list[domain.Step],
    now: dt.datetime,
    target: dict,
    fallback: str | None = None,
    record_repeat: int | None = None,
) -> None:
    """Stage ``escalation.case.escalated`` for one step (or its fallback), record it sent and on the timeline."""
    data = {
        "case_id": case.id,
        "number": case.number,
        "title": case.public_title or case.number,
        "unit": case.unit,
        "field": case.field_code,
        "severity": case.severity,
        "level": case.level,
        "public_order": case.public_order,
        "policy": plan.get("name") or "?",
        "step": {"index": escalation.step_index, "of": len(steps), "repeat": escalation.repeat},
        "target": target,
        "urgent": domain.urgent(severity=case.severity, public_order=case.public_order),
        "escalated_at": iso(now),
    }
    if fallback:
        data["fallback"] = True
        timeline.append(
            db_session,
            case,
            at=now,
            actor="system",
            kind="step_failed",
            detail={"policy": plan.get("name"), "step": escalation.step_index, "why": fallback, "sent_to": target},
        )
    envelope = outbox.add(db_session, "escalation.case.escalated", data)
    record_repeat = escalation.repeat if record_repeat is None else record_repeat
    db_session.add(
        EscalationStep(
            escalation_id=escalation.id,
            cycle=escalation.cycle,
            repeat=record_repeat,
            step_index=escalation.step_index,
            target_type=target["type"],
            target_value=target["value"],
            due_at=escalation.next_step_at or now,
            sent_at=now,
            event_id=envelope.id,
        )
    )
    timeline.append(
        db_session,
        case,
        at=now,
        actor="system",
        kind="escalated",
        detail={
            "policy": plan.get("name"),
            "step": escalation.step_index,
            "of": len(steps),
            "repeat": escalation.repeat,
            "cycle": escalation.cycle,
            "target": target,
            "event_id": envelope.id,
            "fallback": bool(fallback),
        },
    )


def next_target(*, case: Case, escalation: Escalation, plan: dict) -> dict | None:
    """Whom the escalation's next step tells, as the timer will resolve it; None when no step is due."""
    if escalation.status != "active":
        return None
    try:
        step = domain.step_at(steps_of(plan), escalation.step_index)
    except (KeyError, TypeError, ValueError):
        step = None
    target = domain.target(step, case_unit=case.unit, owner_agency=case.owner_agency) if step else None
    if target is None or (target["type"] == "agency" and not target["value"]):
        return dict(domain.FALLBACK_TARGET)
    return target


def fail_over(*, db_session: Session, escalation_id: int, now: dt.datetime, error: str) -> None:
    """A due escalation whose step raised: its step goes to the fallback target, and it is tried again later.

    After ``MAX_FAILURES`` in a row it stops (``failed``), on the timeline: never silently.
    """
    escalation = db_session.scalar(
        select(Escalation).where(Escalation.id == escalation_id).execution_options(populate_existing=True)
    )
    case = db_session.get(Case, escalation.case_id)
    saved = escalation.policy_snapshot if isinstance(escalation.policy_snapshot, dict) else {}
    # Recorded as sent under a negative repeat of its own: the step itself stays due, to be tried again.
    _send(
        db_session=db_session,
        escalation=escalation,
        case=case,
        plan={"name": saved.get("name")},
        steps=[],
        now=now,
        target=dict(domain.FALLBACK_TARGET),
        fallback=f"error: {error}"[:200],
        record_repeat=-1 - escalation.steps_sent,
    )
    escalation.failures += 1
    escalation.steps_sent += 1
    escalation.updated_at = now
    if escalation.failures >= domain.MAX_FAILURES:
        escalation.status, escalation.next_step_at = "failed", None
        timeline.append(
            db_session, case, at=now, actor="system", kind="escalation_failed", detail={"failures": escalation.failures}
        )
    else:
        escalation.next_step_at = now + dt.timedelta(minutes=domain.FALLBACK_WAIT_MINUTES)


def acknowledge(*, db_session: Session, case: Case, by: str, now: dt.datetime) -> bool:
    """Stop the steps; progress is now due within the policy's time. True when this stopped a live escalation."""
    escalation = for_case(db_session=db_session, case_id=case.id, lock=True)
    if escalation is None or escalation.status != "active":
        return False
    plan = plan_of(db_session=db_session, escalation=escalation)
    escalation.status, escalation.acknowledged_at, escalation.acknowledged_by = "acknowledged", now, by
    escalation.next_step_at = now + dt.timedelta(minutes=plan.get("progress_timeout_minutes") or 60)
    escalation.updated_at = now
    return True


def follow(*, db_session: Session, case: Case, now: dt.datetime) -> None:
    """Progress was reported: the steps stop, and the next report is due within the policy's check-in."""
    escalation = for_case(db_session=db_session, case_id=case.id, lock=True)
    if escalation is None or escalation.status == "stopped":
        return
    check_in = plan_of(db_session=db_session, escalation=escalation).get("check_in_minutes")
    if check_in:
        escalation.status, escalation.next_step_at = "following", now + dt.timedelta(minutes=check_in)
    elif escalation.status in domain.LIVE_STATUSES:
        escalation.status, escalation.next_step_at = "settled", None
    escalation.updated_at = now


def settle(*, db_session: Session, case: Case, status: str, now: dt.datetime) -> None:
    """The case closed (``stopped``) or was merged: no more steps."""
    escalation = for_case(db_session=db_session, case_id=case.id, lock=True)
    if escalation is not None and escalation.status not in ("stopped",):
        escalation.status, escalation.next_step_at, escalation.updated_at = status, None, now


def current_target_type(*, db_session: Session, case_id: str) -> str | None:
    """The target of the last step sent for a case, if any."""
    escalation = for_case(db_session=db_session, case_id=case_id)
    if escalation is None:
        return None
    return db_session.scalar(
        select(EscalationStep.target_type)
        .where(EscalationStep.escalation_id == escalation.id)
        .order_by(EscalationStep.id.desc())
        .limit(1)
    )


def list_policies(*, db_session: Session) -> list[EscalationPolicy]:
    return list(
        db_session.scalars(
            select(EscalationPolicy)
            .where(EscalationPolicy.deleted_at.is_(None))
            .order_by(EscalationPolicy.priority, EscalationPolicy.name)
        )
    )


def delete_policy(*, db_session: Session, name: str, now: dt.datetime) -> None:
    """Delete a policy: never chosen again; the escalations that run on it go on with their snapshot."""
    policy = db_session.scalar(
        select(EscalationPolicy).where(EscalationPolicy.name == name, EscalationPolicy.deleted_at.is_(None))
    )
    if policy is None:
        raise Problem(404, "No such policy.")
    policy.deleted_at, policy.active = now, False


def put_policy(*, db_session: Session, name: str, **values) -> EscalationPolicy:
    """Create or replace the policy called ``name`` (running escalations keep the steps they started with)."""
    steps = values.get("steps") or []
    if values.get("repeat_from") is not None and values["repeat_from"] >= len(steps):
        raise Problem(
            422,
            "repeat_from: must name one of the steps",
            errors=[{"field": "repeat_from", "message": "must name one of the steps"}],
        )
    policy = db_session.scalar(select(EscalationPolicy).where(EscalationPolicy.name == name))
    if policy is None:
        policy = EscalationPolicy(name=name)
        db_session.add(policy)
    policy.deleted_at = None
    for key, value in values.items():
        setattr(policy, key, value)
    db_session.flush()
    return policy
