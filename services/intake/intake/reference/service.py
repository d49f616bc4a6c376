"""Reading reference data: units, fields, and the legal rule in force on a date."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.calendar import Calendar

from .cache import (
    NOT_IN_FORCE,
    FieldRef,
    ReferenceCache,
    Snapshot,
    Stale,
    UnitRef,
    read_version,
)
from .models import CalendarYear, Field, Holiday, LegalRule, Unit, UnitSuccession

T = TypeVar("T")
EXTENSION_KEY = "reference"
_SESSION_KEY = "intake.reference.snapshot"


def current_cache() -> ReferenceCache | None:
    """The running app's reference cache (None outside an app, e.g. in a script)."""
    if has_app_context():
        return current_app.extensions["intake"][EXTENSION_KEY]
    return None


def snapshot(*, db_session: Session, recheck: bool = False) -> Snapshot:
    """The reference data in force for this session (a request): the app's cached snapshot, taken once per
    session so that a request sees one version throughout; read from the database outside an app."""
    taken = db_session.info.get(_SESSION_KEY)
    if taken is not None and not recheck:
        return taken
    cache = current_cache()
    if cache is None:
        taken = Snapshot.load(db_session, read_version(db_session))
    else:
        taken = cache.get(db_session, recheck=recheck)
    db_session.info[_SESSION_KEY] = taken
    return taken


def against_snapshot(db_session: Session, check: Callable[..., T]) -> T:
    """``check(snapshot, final=False)`` on the request's snapshot; when it finds that snapshot lacks a code or
    a rule (raises ``Stale``), once more on a snapshot whose version was read again, ``final=True``."""
    try:
        return check(snapshot(db_session=db_session), final=False)
    except Stale:
        return check(snapshot(db_session=db_session, recheck=True), final=True)


def get_unit(*, db_session: Session, code: str) -> UnitRef | None:
    """The unit with ``code``, or None (checked against the database's version before saying so)."""
    found = snapshot(db_session=db_session).unit(code)
    if found is None:
        found = snapshot(db_session=db_session, recheck=True).unit(code)
    return found


def unit_on(*, db_session: Session, code: str, on: dt.date) -> UnitRef | None:
    """The version of unit ``code`` in force on ``on``, or None (checked against the database's version first)."""
    found = snapshot(db_session=db_session).unit_on(code, on)
    if found is None:
        found = snapshot(db_session=db_session, recheck=True).unit_on(code, on)
    return found


def depth(*, db_session: Session, unit: UnitRef) -> int:
    """How many levels are above ``unit`` in the tree it belongs to (0 for a province)."""
    return snapshot(db_session=db_session).depth(unit)


def lineage(*, db_session: Session, code: str) -> set[int]:
    """Ids of every version of unit ``code`` and of the units it succeeded, for roll-ups by today's unit."""
    return snapshot(db_session=db_session).lineage(code)


def get_field(*, db_session: Session, code: str) -> FieldRef | None:
    """The field with ``code``, or None (checked against the database's version before saying so)."""
    found = snapshot(db_session=db_session).field(code)
    if found is None:
        found = snapshot(db_session=db_session, recheck=True).field(code)
    return found


def is_ancestor(*, db_session: Session, ancestor: str | UnitRef, code: str | UnitRef) -> bool:
    """True when unit ``ancestor`` is above unit ``code`` in the administrative tree."""
    return snapshot(db_session=db_session).is_ancestor(ancestor, code)


def holidays(*, db_session: Session, start: dt.date, end: dt.date) -> set[dt.date]:
    """Public holidays and compensatory days off between ``start`` and ``end`` inclusive."""
    return snapshot(db_session=db_session).holidays(start, end)


def make_up_days(*, db_session: Session, start: dt.date, end: dt.date) -> set[dt.date]:
    """Make-up working days (a weekend day worked in exchange for a bridge day off) in the range."""
    return snapshot(db_session=db_session).make_up_days(start, end)


def calendar(*, db_session: Session) -> Calendar:
    """The working-day calendar in force (holidays and make-up days of the reference tables); a date outside
    its years raises ``tiepdan_common.calendar.CalendarRangeError`` (answer 422 naming the date's field)."""
    return snapshot(db_session=db_session).calendar


def list_units(*, db_session: Session, on: dt.date | None = None) -> list[UnitRef]:
    """Every unit version, or those in force on ``on``, by code then date."""
    found = [u for versions in snapshot(db_session=db_session).versions.values() for u in versions]
    if on is not None:
        found = [u for u in found if u.in_force(on)]
    return sorted(found, key=lambda u: (u.code, u.valid_from))


def list_successions(*, db_session: Session, unit_id: int | None = None) -> list[dict]:
    """Every succession (or those of one unit version, either side), by day, with both versions' codes."""
    stmt = select(UnitSuccession).order_by(UnitSuccession.effective_on, UnitSuccession.id)
    if unit_id is not None:
        stmt = stmt.where((UnitSuccession.predecessor_id == unit_id) | (UnitSuccession.successor_id == unit_id))
    by_id = snapshot(db_session=db_session).by_id
    found = []
    for link in db_session.scalars(stmt):
        before, after = by_id.get(link.predecessor_id), by_id.get(link.successor_id)
        found.append(
            {
                "id": link.id,
                "predecessor_id": link.predecessor_id,
                "predecessor_code": before.code if before else None,
                "predecessor_name": before.name if before else None,
                "successor_id": link.successor_id,
                "successor_code": after.code if after else None,
                "successor_name": after.name if after else None,
                "kind": link.kind,
                "effective_on": link.effective_on,
                "legal_act": link.legal_act,
                "confirmed": link.confirmed,
            }
        )
    return found


def list_calendar_years(*, db_session: Session) -> list[CalendarYear]:
    return list(db_session.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def list_fields(*, db_session: Session) -> list[Field]:
    return list(db_session.scalars(select(Field).order_by(Field.code)))


def rule(*, db_session: Session, key: str, on: dt.date):
    """The value of legal rule ``key`` in force on date ``on`` (read-only: mappings and tuples)."""
    found = snapshot(db_session=db_session).rule(key, on)
    if found is NOT_IN_FORCE:
        found = snapshot(db_session=db_session, recheck=True).rule(key, on)
    if found is NOT_IN_FORCE:
        raise LookupError(f"no legal rule {key} in force on {on}")
    return found


def _units_of(reference_dir: Path) -> tuple[list[dict], list[dict]]:
    """Units and successions of every ``units-*.json`` file."""
    units, successions = [], []
    for path in sorted(reference_dir.glob("units-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        units += data.get("units", [])
        successions += data.get("successions", [])
    return units, successions


def seed_units(*, db_session: Session, reference_dir: Path) -> tuple[int, int]:
    """Upsert unit versions by (code, valid_from), then their parents and successions; the counts."""
    units, successions = _units_of(reference_dir)
    existing = {(u.code, u.valid_from): u for u in db_session.scalars(select(Unit))}
    rows = []
    for u in units:
        valid_from = dt.date.fromisoformat(u.get("valid_from") or "2024-01-01")
        row = existing.get((u["code"], valid_from)) or Unit(code=u["code"], valid_from=valid_from)
        row.name, row.level = u["name"], u["level"]
        row.valid_to = dt.date.fromisoformat(u["valid_to"]) if u.get("valid_to") else None
        row.source, row.confirmed, row.note = u.get("source") or "", u.get("confirmed", True), u.get("note")
        db_session.add(row)
        rows.append((row, u.get("parent")))
    db_session.flush()
    everything = list(db_session.scalars(select(Unit)))

    def version(code: str, on: dt.date) -> Unit | None:
        return next(
            (
                v
                for v in everything
                if v.code == code and v.valid_from <= on and (v.valid_to is None or on <= v.valid_to)
            ),
            None,
        )

    for row, parent in rows:
        found = version(parent, row.valid_from) if parent else None
        if parent and found is None:
            raise ValueError(f"unit {row.code}: no parent {parent} in force on {row.valid_from}")
        row.parent_id = found.id if found else None
    pairs = {(s.predecessor_id, s.successor_id): s for s in db_session.scalars(select(UnitSuccession))}
    for link in successions:
        on = dt.date.fromisoformat(link["effective_on"])
        before, after = version(link["from"], on - dt.timedelta(days=1)), version(link["to"], on)
        if before is None or after is None:
            raise ValueError(f"succession {link['from']} -> {link['to']}: a unit is not in force around {on}")
        row = pairs.get((before.id, after.id)) or UnitSuccession(predecessor_id=before.id, successor_id=after.id)
        row.kind, row.effective_on, row.legal_act = link["kind"], on, link["legal_act"]
        row.confirmed = link.get("confirmed", True)
        db_session.add(row)
    db_session.flush()
    return len(units), len(successions)


MAKE_UP_KEYS = ("working_days", "make_up_working_days", "makeup_working_days", "make_up_days")


def seed(*, db_session: Session, reference_dir: Path) -> dict:
    """Load units, fields, legal rules and holidays from JSON files; existing rows are updated."""
    counts = {}
    counts["units"], counts["unit_successions"] = seed_units(db_session=db_session, reference_dir=reference_dir)
    fields = json.loads((reference_dir / "fields.json").read_text(encoding="utf-8"))["fields"]
    for f in fields:
        db_session.merge(Field(code=f["code"], name_vi=f["name_vi"], name_en=f["name_en"], agency_code=f["agency"]))
    counts["fields"] = len(fields)
    rules = json.loads((reference_dir / "legal-rules.json").read_text(encoding="utf-8"))["rules"]
    # Intake's own additional rules (reference/intake-*.json), same format.
    for extra in sorted(reference_dir.glob("intake-*.json")):
        rules += json.loads(extra.read_text(encoding="utf-8")).get("rules", [])
    for r in rules:
        db_session.merge(
            LegalRule(
                key=r["key"],
                effective_from=dt.date.fromisoformat(r["effective_from"]),
                value=r["value"],
                source=r["source"],
                confirmed=r.get("confirmed", True),
                note=r.get("note"),
            )
        )
    counts["legal_rules"] = len(rules)
    calendar = json.loads((reference_dir / "holidays-vn.json").read_text(encoding="utf-8"))
    for y in calendar.get("years", []):
        db_session.merge(
            CalendarYear(
                year=y["year"],
                confirmed=y.get("status", "confirmed") == "confirmed",
                source="; ".join(y.get("sources", [])),
                note=y.get("note"),
            )
        )
    counts["calendar_years"] = len(calendar.get("years", []))
    days = [(h, h.get("kind") or "holiday") for h in calendar.get("holidays", [])]
    for key in MAKE_UP_KEYS:  # make-up working days, under whichever name the calendar file gives them
        days += [(h, "working_day") for h in calendar.get(key, [])]
    for h, kind in days:
        kind = "working_day" if kind in ("working_day", "make_up", "makeup", "make_up_working_day") else "holiday"
        db_session.merge(
            Holiday(
                date=dt.date.fromisoformat(h["date"]),
                name=h.get("name") or h.get("reason") or "",
                kind=kind,
                source=h.get("source"),
                in_exchange_for=dt.date.fromisoformat(h["in_exchange_for"]) if h.get("in_exchange_for") else None,
                confirmed=h.get("confirmed", True),
                note=h.get("note"),
            )
        )
    counts["holidays"] = len(days)
    return counts
