"""A visit checked against the reference data of its day, all from one snapshot (intake.reference.cache).

Units, field and legal rules are read from the request's snapshot. When the snapshot lacks a code or a
rule, :class:`Stale` asks the caller (``reference.service.against_snapshot``) to check once more against
a snapshot whose version was read again, so that what was just added elsewhere is never refused; only
that second check answers "unknown" or "not in force". The desk's own rules are ``domain``'s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from tiepdan_common.errors import field_error

from ..reference.cache import NOT_IN_FORCE, Snapshot, Stale, UnitRef
from . import domain

# Before these rules were seeded the law was as it stood before 1 July 2026.
RULE_DEFAULTS = {"visit.channels": ("in_person",), "visit.identification_required": False}


@dataclasses.dataclass(frozen=True)
class DayCheck:
    """What the rules of the day say of a visit that keeps them."""

    receiving: UnitRef
    origin: UnitRef
    is_mass: bool
    over_level: bool


def _rule(snap: Snapshot, key: str, on: dt.date, *, final: bool):
    value = snap.rule(key, on)
    if value is not NOT_IN_FORCE:
        return value
    if not final:
        raise Stale(key)
    if key in RULE_DEFAULTS:
        return RULE_DEFAULTS[key]
    raise LookupError(f"no legal rule {key} in force on {on}")


def units_of_day(
    snap: Snapshot, *, receiving_unit: str, origin_unit: str, field: str, on: dt.date | None, final: bool
) -> tuple[UnitRef, UnitRef]:
    """The receiving and origin units (the versions in force on ``on`` when given); a problem naming the
    field when a unit or field code is unknown, or names no unit in force that day."""
    found = []
    for name, code in (("receiving_unit", receiving_unit), ("origin_unit", origin_unit)):
        unit = snap.unit(code)
        if unit is not None and on is not None:
            unit = snap.unit_on(code, on)
            if unit is None and final:
                raise field_error(
                    name,
                    f"unit {code} is not in force on {on.isoformat()} "
                    f"(đơn vị {code} không còn hoặc chưa tồn tại vào ngày {on:%d/%m/%Y})",
                )
        elif unit is None and final:
            raise field_error(name, f"unknown unit code {code!r}")
        if unit is None:
            raise Stale(code)
        found.append(unit)
    if snap.field(field) is None:
        if not final:
            raise Stale(field)
        raise field_error("field", f"unknown field {field!r}")
    return found[0], found[1]


def check_reception(snap: Snapshot, *, on: dt.date, channel: str, citizens: list[dict], final: bool) -> None:
    """The form of reception and the citizens' identity documents, by the rules in force on ``on``."""
    channels = _rule(snap, "visit.channels", on, final=final)
    if channel not in channels:
        raise field_error(
            "channel",
            f"reception by {channel!r} is not a form of reception on {on.isoformat()} "
            f"(in force: {', '.join(channels)})",
        )
    if _rule(snap, "visit.identification_required", on, final=final):
        for i, citizen in enumerate(citizens):
            if not citizen.get("id_number"):
                raise field_error(
                    f"citizens.{i}.id_number",
                    "an identity document number is required from 1 July 2026 "
                    "(công dân đến nơi tiếp công dân phải xuất trình giấy tờ tùy thân)",
                )


def check_visit(snap: Snapshot, visit, *, final: bool) -> DayCheck:
    """``visit`` (a ``create.Parsed``) against the units, field and rules in force on its day; a problem
    naming the field it breaks."""
    on = visit.on
    receiving, origin = units_of_day(
        snap,
        receiving_unit=visit.receiving_unit,
        origin_unit=visit.origin_unit,
        field=visit.field,
        on=on,
        final=final,
    )
    check_reception(snap, on=on, channel=visit.channel, citizens=visit.citizens, final=final)
    threshold = _rule(snap, "group.mass_threshold", on, final=final)
    rules = domain.parse_representative_rules(_rule(snap, "group.representatives", on, final=final))
    outcome = visit.outcome
    try:
        domain.check_group(
            group_size=visit.group_size,
            citizen_count=len(visit.citizens),
            representative_count=visit.representatives,
            rules=rules,
        )
        domain.check_outcome(
            outcome=outcome["type"], competent_body=outcome["competent_body"], refusal_ground=outcome["refusal_ground"]
        )
    except domain.RuleViolation as exc:
        raise field_error(exc.field, exc.message) from exc
    # Levels are counted in the tree in force on the day (three tiers in 2024, two from 1 July 2025).
    over_level = domain.goes_over_level(
        declared=visit.over_level,
        receiving_level=receiving.level,
        origin_level=origin.level,
        receiving_is_ancestor=snap.is_ancestor(receiving, origin),
        receiving_depth=snap.depth(receiving),
        origin_depth=snap.depth(origin),
    )
    return DayCheck(receiving, origin, domain.is_mass(visit.group_size, threshold), over_level)
