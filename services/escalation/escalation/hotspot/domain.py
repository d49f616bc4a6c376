"""Hot-spot rules free of Flask and SQLAlchemy: do a window's counts cross a rule, and which status wins."""

from __future__ import annotations

import dataclasses

STATUSES = ("watching", "active", "defused")


@dataclasses.dataclass(frozen=True)
class Counts:
    """What happened in one unit and field over a rule's window."""

    mass_visits: int = 0
    citizens: int = 0
    incidents: int = 0


@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    window_days: int
    status: str
    min_mass_visits: int | None = None
    min_citizens: int | None = None
    min_incidents: int | None = None


def crossed(rule: Rule, counts: Counts) -> bool:
    """Every threshold the rule sets is reached (a rule with no threshold never fires)."""
    limits = (
        (rule.min_mass_visits, counts.mass_visits),
        (rule.min_citizens, counts.citizens),
        (rule.min_incidents, counts.incidents),
    )
    set_limits = [(limit, seen) for limit, seen in limits if limit is not None]
    return bool(set_limits) and all(seen >= limit for limit, seen in set_limits)


def stronger(a: str, b: str | None) -> bool:
    """Whether status ``a`` is a step up from ``b`` (active beats watching beats nothing)."""
    order = {None: 0, "watching": 1, "active": 2}
    return order[a] > order.get(b, 0)
