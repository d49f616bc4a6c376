"""A case's changes that matter: announced, on the timeline, and re-escalated by policy.

A flows module (it reads the policies): the case's own service stays free of escalation's rules. What
matters is data on the policy that applies to the case now (severity, public order, time of day):
``group_size_thresholds`` (a crowd crossing one of them) and ``reescalate_on`` (the kinds of change
that start the escalation again).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from ...policy import domain as policy_domain
from ...policy import service as policies
from .. import events
from ..models import Case

DEFAULT_THRESHOLDS = (20, 50)


@dataclasses.dataclass(frozen=True)
class Before:
    """What a case was before a change: the values whose change may matter."""

    group_size: int | None
    severity: str
    public_order: bool

    @classmethod
    def of(cls, case: Case) -> Before:
        return cls(group_size=case.group_size, severity=case.severity, public_order=bool(case.public_order))


def detected(case: Case, before: Before, *, thresholds) -> list[dict]:
    """The changes that matter between ``before`` and the case now."""
    found = []
    crossed = policy_domain.crossed_thresholds(list(thresholds), before.group_size, case.group_size)
    if crossed:
        found.append({"kind": "group_size", "from": before.group_size, "to": case.group_size, "thresholds": crossed})
    if policy_domain.severity_raised(before.severity, case.severity):
        found.append({"kind": "severity", "from": before.severity, "to": case.severity})
    if case.public_order and not before.public_order:
        found.append({"kind": "public_order", "from": False, "to": True})
    return found


def settle(
    db_session: Session,
    case: Case,
    before: Before | None,
    *,
    now: dt.datetime,
    actor: str = "system",
    also: list[dict] | None = None,
    candidates: list | None = None,
) -> list[dict]:
    """Announce what changed since ``before`` (and ``also``); re-escalate when the case's policy says so.

    ``candidates``: the active policies, when the caller has read them already. Returns the changes.
    """
    policy = policies.choose_policy(db_session=db_session, case=case, now=now, candidates=candidates)
    thresholds = (
        policy.group_size_thresholds
        if policy is not None and policy.group_size_thresholds is not None
        else DEFAULT_THRESHOLDS
    )
    changes = (detected(case, before, thresholds=thresholds) if before is not None else []) + list(also or [])
    if not changes or case.status == "closed":
        return []
    triggers = (
        policy.reescalate_on
        if policy is not None and policy.reescalate_on is not None
        else policy_domain.DEFAULT_TRIGGERS
    )
    kinds = [change["kind"] for change in changes if change["kind"] in triggers]
    re_escalated = bool(
        policy is not None
        and kinds
        and policies.reescalate(db_session=db_session, case=case, policy=policy, kinds=kinds, now=now)
    )
    events.announce(
        db_session,
        case,
        changes,
        now=now,
        re_escalated=re_escalated,
        policy=policy.name if policy is not None else None,
        actor=actor,
    )
    return changes
