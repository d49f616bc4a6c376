"""Rules of registering a petition, free of Flask and SQLAlchemy (Law 42/2013 Art. 25(3); Law on
Denunciation 25/2018 Art. 25). Deadlines: ``deadlines``; the lifecycle: ``lifecycle``.
"""

from __future__ import annotations

from ..visit.domain import CATEGORIES, RuleViolation

DECISIONS = ("accept", "not_accept", "guide", "forward", "request_lower_level", "archive")

__all__ = ["CATEGORIES", "DECISIONS", "RuleViolation"]


def check_anonymous(
    *, anonymous: bool, sender_count: int, verifiable: bool, violator: str | None, evidence: str | None
) -> None:
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
