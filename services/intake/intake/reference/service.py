"""Reading reference data: units, fields, and the legal rule in force on a date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from .cache import NOT_IN_FORCE, FieldRef, ReferenceCache, Snapshot, UnitRef, read_version
from .models import Field, Holiday, LegalRule, Unit

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


def get_unit(*, db_session: Session, code: str) -> UnitRef | None:
    """The unit with ``code``, or None (checked against the database's version before saying so)."""
    found = snapshot(db_session=db_session).unit(code)
    if found is None:
        found = snapshot(db_session=db_session, recheck=True).unit(code)
    return found


def get_field(*, db_session: Session, code: str) -> FieldRef | None:
    """The field with ``code``, or None (checked against the database's version before saying so)."""
    found = snapshot(db_session=db_session).field(code)
    if found is None:
        found = snapshot(db_session=db_session, recheck=True).field(code)
    return found


def is_ancestor(*, db_session: Session, ancestor: str, code: str) -> bool:
    """True when unit ``ancestor`` is above unit ``code`` in the administrative tree."""
    return snapshot(db_session=db_session).is_ancestor(ancestor, code)


def holidays(*, db_session: Session, start: dt.date, end: dt.date) -> set[dt.date]:
    """Public holidays and compensatory days off between ``start`` and ``end`` inclusive."""
    return snapshot(db_session=db_session).holidays(start, end)


def list_units(*, db_session: Session) -> list[Unit]:
    return list(db_session.scalars(select(Unit).order_by(Unit.level, Unit.code)))


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


def seed(*, db_session: Session, reference_dir: Path) -> dict:
    """Load units, fields, legal rules and holidays from JSON files; existing rows are updated."""
    counts = {}
    units = json.loads((reference_dir / "units-my-xuyen-2024.json").read_text(encoding="utf-8"))["units"]
    for u in units:
        db_session.merge(Unit(code=u["code"], name=u["name"], level=u["level"], parent_code=u["parent"],
                              valid_from=dt.date(2024, 1, 1)))
    counts["units"] = len(units)
    fields = json.loads((reference_dir / "fields.json").read_text(encoding="utf-8"))["fields"]
    for f in fields:
        db_session.merge(Field(code=f["code"], name_vi=f["name_vi"], name_en=f["name_en"], agency_code=f["agency"]))
    counts["fields"] = len(fields)
    rules = json.loads((reference_dir / "legal-rules.json").read_text(encoding="utf-8"))["rules"]
    # Intake's own additional rules (reference/intake-*.json), same format.
    for extra in sorted(reference_dir.glob("intake-*.json")):
        rules += json.loads(extra.read_text(encoding="utf-8")).get("rules", [])
    for r in rules:
        db_session.merge(LegalRule(key=r["key"], effective_from=dt.date.fromisoformat(r["effective_from"]),
                                   value=r["value"], source=r["source"]))
    counts["legal_rules"] = len(rules)
    holidays = json.loads((reference_dir / "holidays-vn.json").read_text(encoding="utf-8"))["holidays"]
    for h in holidays:
        db_session.merge(Holiday(date=dt.date.fromisoformat(h["date"]), name=h["name"]))
    counts["holidays"] = len(holidays)
    return counts
