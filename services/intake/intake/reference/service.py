"""Reading reference data: units, fields, and the legal rule in force on a date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Field, Holiday, LegalRule, Unit


def get_unit(*, db_session: Session, code: str) -> Unit | None:
    """The unit with ``code``, or None."""
    return db_session.get(Unit, code)


def get_field(*, db_session: Session, code: str) -> Field | None:
    """The field with ``code``, or None."""
    return db_session.get(Field, code)


def is_ancestor(*, db_session: Session, ancestor: str, code: str) -> bool:
    """True when unit ``ancestor`` is above unit ``code`` in the administrative tree."""
    unit = get_unit(db_session=db_session, code=code)
    seen = set()
    while unit is not None and unit.parent_code and unit.code not in seen:
        seen.add(unit.code)
        if unit.parent_code == ancestor:
            return True
        unit = get_unit(db_session=db_session, code=unit.parent_code)
    return False


def holidays(*, db_session: Session, start: dt.date, end: dt.date) -> set[dt.date]:
    """Public holidays and compensatory days off between ``start`` and ``end`` inclusive."""
    return set(db_session.scalars(select(Holiday.date).where(Holiday.date >= start, Holiday.date <= end)))


def list_units(*, db_session: Session) -> list[Unit]:
    return list(db_session.scalars(select(Unit).order_by(Unit.level, Unit.code)))


def list_fields(*, db_session: Session) -> list[Field]:
    return list(db_session.scalars(select(Field).order_by(Field.code)))


def rule(*, db_session: Session, key: str, on: dt.date):
    """The value of legal rule ``key`` in force on date ``on``."""
    found = db_session.scalars(
        select(LegalRule).where(LegalRule.key == key, LegalRule.effective_from <= on)
        .order_by(LegalRule.effective_from.desc())
        .limit(1)
    ).first()
    if found is None:
        raise LookupError(f"no legal rule {key} in force on {on}")
    return found.value


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
