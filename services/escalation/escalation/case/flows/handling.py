"""A case handled across aggregates: acknowledged, moved on, changed, closed or flagged for public order, its
escalation follows (stopped, checked in, settled, re-escalated) and the police are alerted for public order.
Views, consumers and the other flows call these; the case, policy and alert services stay leaves of them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tiepdan_common.models import utcnow

from ...alert import service as alerts
from ...policy import service as policies
from .. import service as cases
from ..models import Case
from . import changes


def acknowledge(
    *, db_session: Session, case: Case, by: str, via: str, now: dt.datetime | None = None, message_id: str | None = None
) -> bool:
    """Someone notified acknowledged: stop the escalation, note it, announce the first acknowledgement."""
    now = now or utcnow()
    if case.status == "closed":
        return False
    stopped = policies.acknowledge(db_session=db_session, case=case, by=by, now=now)
    return cases.acknowledge(
        db_session=db_session, case=case, by=by, via=via, now=now, stopped=stopped, message_id=message_id
    )


def progress(
    *, db_session: Session, case: Case, status: str, note: str | None, actor: str, now: dt.datetime | None = None
) -> Case:
    """Report progress (in progress, citizens returned, resolved): the steps stop, the next check-in is due."""
    now = now or utcnow()
    cases.progress(case=case, status=status, note=note, actor=actor, now=now)
    policies.follow(db_session=db_session, case=case, now=now)
    return case


def close(
    *, db_session: Session, case: Case, reason: str, outcome: str | None, actor: str, now: dt.datetime | None = None
) -> Case:
    """Close a case with a reason code; its escalation stops and ``escalation.case.closed`` is announced."""
    now = now or utcnow()
    cases.close(db_session=db_session, case=case, reason=reason, outcome=outcome, actor=actor, now=now)
    policies.settle(db_session=db_session, case=case, status="stopped", now=now)
    return case


def change(
    *,
    db_session: Session,
    case: Case,
    actor: str,
    now: dt.datetime | None = None,
    public_order: bool | None = None,
    complex: bool | None = None,
    severity: str | None = None,
    owner_agency: str | None = None,
    participants: list | None = None,
    group_size: int | None = None,
) -> Case:
    """Change a case's flags, severity, size, owner or participants; a change that matters re-escalates."""
    now = now or utcnow()
    before = changes.Before.of(case)
    changed = cases.change(
        case=case,
        public_order=public_order,
        complex=complex,
        severity=severity,
        owner_agency=owner_agency,
        participants=participants,
        group_size=group_size,
    )
    if changed.get("public_order", {}).get("to"):
        alerts.raise_alert(db_session=db_session, case=case, reason="public_order", now=now)
    if changed:
        cases.note(db_session=db_session, case=case, actor=actor, kind="updated", detail=changed, now=now)
        changes.settle(db_session, case, before, now=now, actor=actor)
    return case


def mark_public_order(*, db_session: Session, case: Case, actor: str, reason: str, now: dt.datetime) -> None:
    """A police incident about the case: flag it for public order (an alert goes to the police)."""
    before = changes.Before.of(case)
    if cases.flag_public_order(case=case, actor=actor, reason=reason, now=now):
        alerts.raise_alert(db_session=db_session, case=case, reason=reason, now=now)
        changes.settle(db_session, case, before, now=now, actor=actor)
