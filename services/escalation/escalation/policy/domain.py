"""Escalation rules free of Flask and SQLAlchemy: which policy applies, which step comes next, whom it targets."""

from __future__ import annotations

import dataclasses

TARGET_TYPES = ("on_duty_role", "agency", "leader_on_call", "police", "commune", "province", "distribution_list")
SEVERITIES = ("low", "medium", "high", "critical")
# An escalation is followed by the timer while active (steps due), acknowledged (progress due) or following
# (progress reported: the next check-in due).
LIVE_STATUSES = ("active", "acknowledged", "following")
STATUSES = (*LIVE_STATUSES, "settled", "exhausted", "stopped", "failed")
# A case's changes that matter: each emits escalation.case.changed; those a policy lists re-escalate.
DEFAULT_TRIGGERS = ("group_size", "severity", "public_order", "visit_joined", "hotspot_linked")
CHANGE_KINDS = (*DEFAULT_TRIGGERS, "merged", "reopened", "acknowledgement_expired", "check_in_missed")
# Where a step that cannot be sent goes instead (never dropped); after this many in a row the escalation fails.
FALLBACK_TARGET = {"type": "leader_on_call", "value": None}
FALLBACK_WAIT_MINUTES = 15
MAX_FAILURES = 3


@dataclasses.dataclass(frozen=True)
class Step:
    """Notify ``target_type``/``target_value`` then wait ``wait_minutes`` before the next step."""

    target_type: str
    target_value: str | None = None
    wait_minutes: int = 15
    public_order_only: bool = False

    @classmethod
    def from_dict(cls, raw: dict) -> Step:
        return cls(
            target_type=raw["target"]["type"],
            target_value=raw["target"].get("value"),
            wait_minutes=int(raw.get("wait_minutes", 15)),
            public_order_only=bool(raw.get("public_order_only", False)),
        )


@dataclasses.dataclass(frozen=True)
class Position:
    """Where an escalation stands: the next step to send, in which repeat."""

    index: int
    repeat: int


def in_hours(local_hour: int, hours_from: int | None, hours_to: int | None) -> bool:
    """True when ``local_hour`` lies in [from, to), a window that may wrap past midnight."""
    if hours_from is None or hours_to is None or hours_from == hours_to:
        return True
    if hours_from < hours_to:
        return hours_from <= local_hour < hours_to
    return local_hour >= hours_from or local_hour < hours_to


def policy_matches(
    *,
    severities: list[str],
    public_order_only: bool,
    hours_from: int | None,
    hours_to: int | None,
    severity: str,
    public_order: bool,
    local_hour: int,
) -> bool:
    """Whether a policy's conditions (severity, public order, time of day) hold for a case."""
    if severities and severity not in severities:
        return False
    if public_order_only and not public_order:
        return False
    return in_hours(local_hour, hours_from, hours_to)


def applies(step: Step, *, public_order: bool) -> bool:
    """A step marked public-order-only (e.g. calling the police) is skipped for other cases."""
    return public_order or not step.public_order_only


def first(steps: list[Step], *, public_order: bool, start: int = 0) -> int | None:
    """The first applicable step at or after ``start``."""
    for index in range(start, len(steps)):
        if applies(steps[index], public_order=public_order):
            return index
    return None


def after(
    steps: list[Step], sent: Position, *, repeat_from: int | None, max_repeats: int, public_order: bool
) -> Position | None:
    """The step that follows ``sent``: the next applicable one, else a repeat, else None (exhausted)."""
    following = first(steps, public_order=public_order, start=sent.index + 1)
    if following is not None:
        return Position(following, sent.repeat)
    if repeat_from is not None and sent.repeat < max_repeats:
        again = first(steps, public_order=public_order, start=repeat_from)
        if again is not None:
            return Position(again, sent.repeat + 1)
    return None


def target(step: Step, *, case_unit: str, owner_agency: str | None) -> dict:
    """The step's target for notify; an agency with no value is the case's owner, the commune is the case's."""
    value = step.target_value
    if step.target_type == "commune" and not value:
        value = case_unit
    elif step.target_type == "agency" and not value:
        value = owner_agency
    return {"type": step.target_type, "value": value}


def urgent(*, severity: str, public_order: bool) -> bool:
    """Notify uses the fast channels for these."""
    return public_order or severity in ("high", "critical")


def crossed_thresholds(thresholds: list[int] | None, before: int | None, after: int | None) -> list[int]:
    """The configured group sizes a crowd growing from ``before`` to ``after`` reached or passed."""
    low, high = before or 0, after or 0
    return sorted(t for t in thresholds or () if low < t <= high)


def severity_raised(before: str, after: str) -> bool:
    return SEVERITIES.index(after) > SEVERITIES.index(before)


def step_at(steps: list[Step], index: int) -> Step | None:
    """The step at ``index``, or None when the policy has no such step (the fallback target then gets it)."""
    return steps[index] if 0 <= index < len(steps) else None
