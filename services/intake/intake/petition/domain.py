"""Rules of petition handling, free of Flask and SQLAlchemy.

Sources: Law on Citizen Reception 42/2013 Arts. 25(3), 28(1); Law on Denunciation
25/2018 Arts. 24, 25, 30; Law on Complaints 02/2011 Arts. 28, 37. The numbers
themselves are reference data with effective dates (legal_rules).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..visit.domain import CATEGORIES, RuleViolation

CHANNELS = ("visit", "post", "email", "forwarded")
DECISIONS = ("accept", "guide", "forward", "request_lower_level", "archive")
STATUS_AFTER = {
    "accept": "accepted",
    "guide": "guided",
    "forward": "forwarded",
    "request_lower_level": "returned_to_lower_level",
    "archive": "archived",
}
STATUSES = ("received", "accepted", "resolved", "repeat", *[s for s in STATUS_AFTER.values() if s != "accepted"])
# Stages a petition can be overdue in.
STAGES = ("response", "initial_handling", "resolution", "inform_citizen")

__all__ = ["CATEGORIES", "CHANNELS", "DECISIONS", "STAGES", "STATUSES", "STATUS_AFTER", "RuleViolation"]


def is_working_day(day: dt.date, holidays: set[dt.date]) -> bool:
    """Monday to Friday and not a public holiday or compensatory day off."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, days: int, holidays: set[dt.date]) -> dt.date:
    """The ``days``-th working day after ``start`` (the day of receipt itself is not counted)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def add_days(start: dt.date, days: int, holidays: set[dt.date]) -> dt.date:
    """``days`` calendar days after ``start``; a deadline falling on a day off moves to the next working day."""
    day = start + dt.timedelta(days=days)
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    return day


def handled_as_denunciation(*, category: str, anonymous: bool, verifiable: bool) -> bool:
    """An anonymous denunciation is handled as one only when verifiable with concrete evidence (Art. 25)."""
    return category == "denunciation" and (not anonymous or verifiable)


def check_anonymous(*, anonymous: bool, sender_count: int, verifiable: bool, violator: str | None,
                    evidence: str | None) -> None:
    """Anonymous means no senders; verifiable means a named violator and concrete evidence."""
    if anonymous and sender_count:
        raise RuleViolation("senders", "an anonymous petition has no senders")
    if not anonymous and not sender_count:
        raise RuleViolation("senders", "name at least one sender, or mark the petition anonymous")
    if verifiable and not anonymous:
        raise RuleViolation("verifiable", "only an anonymous denunciation is marked verifiable")
    if verifiable and (not violator or not evidence):
        field = "violator" if not violator else "evidence"
        raise RuleViolation(field, "a verifiable anonymous denunciation names the violator and concrete evidence")


def check_senders(*, representatives: int, sender_count: int) -> None:
    """Several senders choose at least one representative among them."""
    if sender_count > 1 and representatives < 1:
        raise RuleViolation("senders", "several senders must choose a representative among them")


def check_parts(parts: list[dict]) -> None:
    """A mixed petition splits into parts of different categories (Art. 25(3))."""
    seen = set()
    for i, part in enumerate(parts):
        if part["category"] in seen:
            raise RuleViolation(f"parts[{i}].category", "each part of a split petition has its own category")
        seen.add(part["category"])


@dataclasses.dataclass(frozen=True)
class Deadline:
    """What must happen by when: the stage a petition is in and its legal deadline."""

    stage: str | None
    deadline: dt.date | None


def on_receipt(*, category: str, received_on: dt.date, handled: bool, anonymous: bool, multi_site: bool,
               rules: dict, holidays: set[dt.date]) -> Deadline:
    """The first deadline: a denunciation's initial handling (7 or 10 working days), otherwise Art. 28(1)."""
    if category == "denunciation":
        if not handled:
            return Deadline(None, None)  # recorded, not handled as a denunciation
        key = "denunciation_initial_multi_site" if multi_site else "denunciation_initial"
        return Deadline("initial_handling", add_working_days(received_on, rules[key], holidays))
    if anonymous:
        return Deadline(None, None)  # nobody to answer within Art. 28(1)
    return Deadline("response", add_working_days(received_on, rules["petition_response"], holidays))


def inform_deadline(*, received_on: dt.date, anonymous: bool, rules: dict, holidays: set[dt.date]) -> dt.date | None:
    """The day by which the citizen must be told whether the petition is accepted, refused or forwarded."""
    if anonymous:
        return None
    return add_working_days(received_on, rules["petition_response"], holidays)


def after_decision(*, decision: str, category: str, decided_on: dt.date, received_on: dt.date, inform_by: dt.date | None,
                   complexity: str, second_time: bool, rules: dict, holidays: set[dt.date]) -> Deadline:
    """The deadline a decision carries.

    accept: resolution of a complaint (30/45/60 days, second time 45/60/70) or a
    denunciation (30 days, extended for complex cases), from the decision;
    forward of a denunciation: 5 working days from receipt (Art. 24);
    otherwise: the day the citizen must be told (Art. 28(1)).
    """
    if decision == "accept" and category == "complaint":
        table = rules["complaint_second" if second_time else "complaint_first"]
        return Deadline("resolution", add_days(decided_on, table[complexity], holidays))
    if decision == "accept" and category == "denunciation":
        table = rules["denunciation_resolution"]
        key = {"normal": "normal", "complex_or_remote": "complex", "both": "very_complex"}[complexity]
        return Deadline("resolution", add_days(decided_on, table[key], holidays))
    if decision == "forward" and category == "denunciation":
        return Deadline(None, add_working_days(received_on, rules["denunciation_forward"], holidays))
    return Deadline(None, inform_by)


def check_decision(*, decision: str, status: str, forwarded_to: str | None, reason: str | None,
                   informed_on: dt.date | None, decided_on: dt.date, received_on: dt.date, today: dt.date) -> None:
    """Raise :class:`RuleViolation` for a decision the petition's state or the law does not allow."""
    if status != "received":
        raise RuleViolation("decision", f"the petition is already {status}; no new handling decision")
    if decision in ("forward", "guide", "request_lower_level") and not forwarded_to:
        raise RuleViolation("forwarded_to", "name the body the petition is forwarded or the citizen guided to")
    if decision == "archive" and not reason:
        raise RuleViolation("reason", "archiving states its reason")
    if decided_on > today:
        raise RuleViolation("decided_at", "is in the future")
    if decided_on < received_on:
        raise RuleViolation("decided_at", "is before the petition was received")
    if informed_on is not None and (informed_on > today or informed_on < received_on):
        raise RuleViolation("citizen_informed_on", "must be between the receipt and today")


def days_overdue(deadline: dt.date, today: dt.date) -> int:
    """Calendar days past ``deadline``."""
    return (today - deadline).days
