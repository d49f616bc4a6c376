"""Starting, firing, acknowledging and stopping a case's escalation; reading and writing policies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from tiepdan_common.errors import Problem

from ..case import timeline
from ..case.models import Case
from ..clock import iso, local
from ..database import outbox
from . import domain
from .models import Escalation, EscalationPolicy, EscalationStep


def steps_of(policy: EscalationPolicy) -> list[domain.Step]:
    return [domain.Step.from_dict(raw) for raw in policy.steps]


def active(*, db_session: Session) -> list[EscalationPolicy]:
    """The active policies, highest priority first."""
    return list(db_session.scalars(select(EscalationPolicy).where(EscalationPolicy.active.is_(True))
                                   .order_by(EscalationPolicy.priority, EscalationPolicy.name)))


def choose_policy(*, db_session: Session, case: Case, now: dt.datetime,
                  candidates: list[EscalationPolicy] | None = None) -> EscalationPolicy | None:
    """The highest-priority active policy whose severity, public-order and hour conditions hold.

    ``candidates``: the active policies (:func:`active`), when the caller has read them already.
    """
    hour = local(now).hour
    for policy in active(db_session=db_session) if candidates is None else candidates:
        if domain.policy_matches(severities=policy.severities or [], public_order_only=policy.public_order_only,
                                 hours_from=policy.hours_from, hours_to=policy.hours_to, severity=case.severity,
                                 public_order=case.public_order, local_hour=hour):
            return policy
    return None


def start(*, db_session: Session, case: Case, now: dt.datetime,
          active: list[EscalationPolicy] | None = None) -> Escalation | None:
    """Start the case's escalation, its first step due after the policy's first wait (no policy: none).

    ``active``: the active policies in order, when the caller has read them already.
    """
    policy = choose_policy(db_session=db_session, case=case, now=now, candidates=active)
    if policy is None:
        return None
    index = domain.first(steps_of(policy), public_order=case.public_order)
    if index is None:
        return None
    escalation = Escalation(case_id=case.id, policy_id=policy.id, status="active", cycle=0, step_index=index,
                            repeat=0, next_step_at=now + dt.timedelta(minutes=policy.first_wait_minutes or 0),
                            updated_at=now)
    db_session.add(escalation)
    timeline.append(db_session, case, at=now, actor="system", kind="escalation_started",
                                       detail={"policy": policy.name})
    return escalation


def for_case(*, db_session: Session, case_id: str) -> Escalation | None:
    return db_session.scalar(select(Escalation).where(Escalation.case_id == case_id))


def fire(*, db_session: Session, escalation: Escalation, now: dt.datetime) -> bool:
    """Act on a due escalation the caller holds locked; re-checks that it is still live and due."""
    if escalation.status not in domain.LIVE_STATUSES or escalation.next_step_at is None \
            or escalation.next_step_at > now:
        return False
    case = db_session.get(Case, escalation.case_id)
    policy = db_session.get(EscalationPolicy, escalation.policy_id)
    steps = steps_of(policy)
    if case.status == "closed":
        escalation.status, escalation.next_step_at = "stopped", None
        return False
    if escalation.status == "acknowledged":
        # Acknowledged, but no progress came in time: escalate again from the first step.
        index = domain.first(steps, public_order=case.public_order)
        escalation.status, escalation.cycle, escalation.repeat = "active", escalation.cycle + 1, 0
        escalation.step_index = index if index is not None else 0
        timeline.append(db_session, case, at=now, actor="system", kind="acknowledgement_expired",
                                           detail={"acknowledged_by": escalation.acknowledged_by,
                                                   "cycle": escalation.cycle})
    _send_step(db_session=db_session, escalation=escalation, case=case, policy=policy, steps=steps, now=now)
    return True


def _send_step(*, db_session: Session, escalation: Escalation, case: Case, policy: EscalationPolicy,
               steps: list[domain.Step], now: dt.datetime) -> None:
    step = steps[escalation.step_index]
    target = domain.target(step, case_unit=case.unit, owner_agency=case.owner_agency)
    data = {
        "case_id": case.id, "number": case.number, "title": case.public_title or case.number, "unit": case.unit,
        "field": case.field_code, "severity": case.severity, "level": case.level,
        "public_order": case.public_order, "policy": policy.name,
        "step": {"index": escalation.step_index, "of": len(steps), "repeat": escalation.repeat},
        "target": target, "urgent": domain.urgent(severity=case.severity, public_order=case.public_order),
        "escalated_at": iso(now),
    }
    envelope = outbox.add(db_session, "escalation.case.escalated", data)
    db_session.add(EscalationStep(escalation_id=escalation.id, cycle=escalation.cycle, repeat=escalation.repeat,
                                  step_index=escalation.step_index, target_type=target["type"],
                                  target_value=target["value"], due_at=escalation.next_step_at, sent_at=now,
                                  event_id=envelope.id))
    timeline.append(db_session, case, at=now, actor="system", kind="escalated", detail={
        "policy": policy.name, "step": escalation.step_index, "of": len(steps), "repeat": escalation.repeat,
        "cycle": escalation.cycle, "target": target, "event_id": envelope.id})
    if target["type"] == "police":
        from ..alert import service as alerts

        alerts.raise_alert(db_session=db_session, case=case, reason="escalation", now=now)
    escalation.steps_sent += 1
    following = domain.after(steps, domain.Position(escalation.step_index, escalation.repeat),
                             repeat_from=policy.repeat_from, max_repeats=policy.max_repeats,
                             public_order=case.public_order)
    if following is None:
        escalation.status, escalation.next_step_at = "exhausted", None
        timeline.append(db_session, case, at=now, actor="system", kind="escalation_exhausted", detail={})
    else:
        escalation.step_index, escalation.repeat = following.index, following.repeat
        # The wait runs from when the step was due, so a late timer does not push every later step back.
        base = max(escalation.next_step_at or now, now - dt.timedelta(minutes=step.wait_minutes))
        escalation.next_step_at = base + dt.timedelta(minutes=step.wait_minutes)
    escalation.updated_at = now


def acknowledge(*, db_session: Session, case: Case, by: str, now: dt.datetime) -> bool:
    """Stop the steps; progress is now due within the policy's time. True when this stopped a live escalation."""
    escalation = for_case(db_session=db_session, case_id=case.id)
    if escalation is None or escalation.status != "active":
        return False
    policy = db_session.get(EscalationPolicy, escalation.policy_id)
    escalation.status, escalation.acknowledged_at, escalation.acknowledged_by = "acknowledged", now, by
    escalation.next_step_at = now + dt.timedelta(minutes=policy.progress_timeout_minutes)
    escalation.updated_at = now
    return True


def settle(*, db_session: Session, case: Case, status: str, now: dt.datetime) -> None:
    """Progress was reported (``settled``) or the case closed (``stopped``): no more steps."""
    escalation = for_case(db_session=db_session, case_id=case.id)
    if escalation is not None and escalation.status in domain.LIVE_STATUSES:
        escalation.status, escalation.next_step_at, escalation.updated_at = status, None, now


def current_target_type(*, db_session: Session, case_id: str) -> str | None:
    """The target of the last step sent for a case, if any."""
    escalation = for_case(db_session=db_session, case_id=case_id)
    if escalation is None:
        return None
    return db_session.scalar(select(EscalationStep.target_type).where(EscalationStep.escalation_id == escalation.id)
                             .order_by(EscalationStep.id.desc()).limit(1))


def list_policies(*, db_session: Session) -> list[EscalationPolicy]:
    return list(db_session.scalars(select(EscalationPolicy).order_by(EscalationPolicy.priority,
                                                                     EscalationPolicy.name)))


def put_policy(*, db_session: Session, name: str, **values) -> EscalationPolicy:
    """Create or replace the policy called ``name`` (running escalations keep their position)."""
    steps = values.get("steps") or []
    if values.get("repeat_from") is not None and values["repeat_from"] >= len(steps):
        raise Problem(422, "repeat_from: must name one of the steps", errors=[
            {"field": "repeat_from", "message": "must name one of the steps"}])
    policy = db_session.scalar(select(EscalationPolicy).where(EscalationPolicy.name == name))
    if policy is None:
        policy = EscalationPolicy(name=name)
        db_session.add(policy)
    for key, value in values.items():
        setattr(policy, key, value)
    db_session.flush()
    return policy
