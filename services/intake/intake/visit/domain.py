"""Rules of the reception desk, free of Flask and SQLAlchemy (Law 42/2013, Arts. 9, 26, 29)."""

from __future__ import annotations

import dataclasses

CATEGORIES = ("complaint", "denunciation", "recommendation", "feedback")

OUTCOMES = (
    "documents_taken",  # within competence: the documents are taken (Art. 26)
    "guided",  # outside competence: guided to the competent body
    "returned_to_lower_level",  # a lower level's unresolved matter goes back with a request to resolve
    "explained_closed",  # already correctly resolved: explained and closed
    "refused",  # reception refused on a ground of Art. 9
)

REFUSAL_GROUNDS = (
    "intoxicated_or_incapacitated",  # Art. 9(1)(a)
    "threats_insults_or_rule_breaking",  # Art. 9(1)(b)-(c)
    "already_resolved_persisting",  # Art. 9(1)(d)
)


class RuleViolation(ValueError):
    """A visit that breaks a rule of the desk; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class RepresentativeRule:
    """For groups of ``min_size`` to ``max_size`` people: between ``min`` and ``max`` representatives."""

    min_size: int
    max_size: int | None
    min: int
    max: int

    def applies(self, size: int) -> bool:
        return size >= self.min_size and (self.max_size is None or size <= self.max_size)


def parse_representative_rules(value: list[dict]) -> list[RepresentativeRule]:
    return [RepresentativeRule(**row) for row in value]


def is_mass(group_size: int, threshold: int) -> bool:
    """A group at or above the legal threshold (5 by Art. 29) is a mass visit."""
    return group_size >= threshold


def check_group(
    *, group_size: int, citizen_count: int, representative_count: int, rules: list[RepresentativeRule]
) -> None:
    """Raise :class:`RuleViolation` when the group and its representatives break Art. 29."""
    if citizen_count > group_size:
        raise RuleViolation("group_size", f"the group has {group_size} people but {citizen_count} citizens are listed")
    for rule in rules:
        if rule.applies(group_size):
            if representative_count < rule.min:
                raise RuleViolation(
                    "citizens",
                    f"a group of {group_size} must choose at least {rule.min} representative(s) among its members",
                )
            if representative_count > rule.max:
                raise RuleViolation(
                    "citizens",
                    f"a group of {group_size} may have at most {rule.max} representatives, not {representative_count}",
                )
            return


def check_outcome(*, outcome: str, competent_body: str | None, refusal_ground: str | None) -> None:
    """Raise :class:`RuleViolation` when the desk's outcome lacks what the law asks for."""
    if outcome == "refused" and not refusal_ground:
        raise RuleViolation("outcome.refusal_ground", "a refusal must state its legal ground (Art. 9)")
    if outcome != "refused" and refusal_ground:
        raise RuleViolation("outcome.refusal_ground", "only a refusal has a refusal ground")
    if outcome in ("guided", "returned_to_lower_level") and not competent_body:
        raise RuleViolation("outcome.competent_body", "name the body the citizen is guided or returned to")


LEVEL_DEPTH = {"province": 0, "district": 1, "commune": 2}  # the 2024 tree, when no depth is known

CHANNELS = ("in_person", "online")  # tiếp trực tiếp; tiếp trực tuyến (from 1 July 2026, rule visit.channels)


def matter_key(*, origin_unit: str, field: str, subject_folded: str | None) -> str:
    """The stable key relating visits about one matter: where it arose, its field, and its subject if named."""
    key = f"{origin_unit}:{field}"
    if subject_folded:
        key += ":" + "-".join(subject_folded.split())[:100]
    return key


def goes_over_level(
    *,
    declared: bool,
    receiving_level: str | None,
    origin_level: str | None,
    receiving_is_ancestor: bool,
    receiving_depth: int | None = None,
    origin_depth: int | None = None,
) -> bool:
    """Vượt cấp: declared by the desk, or a matter brought two or more levels above where it arose.

    Depths are the units' places in the tree in force on the day (0 for a province): a commune's matter
    at the province is two levels up under districts (2024) and one in the two-tier tree (from 1 July
    2025). Without depths, the 2024 level names stand in for them."""
    if declared:
        return True
    if not receiving_is_ancestor:
        return False
    if receiving_depth is None or origin_depth is None:
        if receiving_level not in LEVEL_DEPTH or origin_level not in LEVEL_DEPTH:
            return False
        receiving_depth, origin_depth = LEVEL_DEPTH[receiving_level], LEVEL_DEPTH[origin_level]
    return origin_depth - receiving_depth >= 2
