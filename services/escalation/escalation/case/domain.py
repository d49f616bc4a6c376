"""Case rules free of Flask and SQLAlchemy: severity, level, when a visit becomes a case."""

from __future__ import annotations

STATUSES = ("opened", "acknowledged", "in_progress", "citizens_returned", "resolved", "closed")
OPEN_STATUSES = STATUSES[:-1]


def severity_for_group(size: int) -> str:
    """Bigger crowds are more urgent (Law 42/2013, Arts. 30-31: more officers, possibly police)."""
    if size >= 50:
        return "critical"
    if size >= 20:
        return "high"
    if size >= 10:
        return "medium"
    return "low"


def level_for_unit(unit_level: str | None) -> str:
    """A case is handled at the level where the citizens are received."""
    return unit_level if unit_level in ("commune", "district", "province") else "district"


def opens_case(*, group_size: int, is_mass: bool, over_level: bool, mass_case_size: int) -> bool:
    """A mass visit at or above the configured size, or a matter taken over a level, opens a case."""
    return (is_mass and group_size >= mass_case_size) or over_level
