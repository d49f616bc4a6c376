"""The unit copy: seeded from the reference files, changed by intake's ``intake.reference.changed``, read
whole (a few dozen rows) into a :class:`~.domain.Directory` wherever a place is named."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tiepdan_common.clock import today
from tiepdan_common.messaging.consumer import PermanentFailure

from . import domain
from .models import UnitVersion

log = logging.getLogger(__name__)


def _file_versions(reference_dir: Path) -> list[dict]:
    versions: list[dict] = []
    for path in sorted(Path(reference_dir).glob("units-*.json")):
        versions += json.loads(path.read_text("utf-8"))["units"]
    return versions


def seed(*, db_session: Session, reference_dir: Path) -> int:
    """Add the files' versions the copy lacks and refresh those still as the files had them; a version intake
    changed or deleted since is left as intake has it. Returns how many were added."""
    rows = {(row.code, row.valid_from): row for row in db_session.scalars(select(UnitVersion))}
    added = 0
    for version in _file_versions(reference_dir):
        key = (version["code"], dt.date.fromisoformat(version["valid_from"]))
        row = rows.get(key)
        if row is None:
            row = UnitVersion(code=key[0], valid_from=key[1])
            db_session.add(row)
            rows[key], added = row, added + 1
        elif row.reference_version is not None or row.removed:
            continue
        row.name, row.level, row.parent = version["name"], version.get("level"), version.get("parent")
        row.valid_to = dt.date.fromisoformat(version["valid_to"]) if version.get("valid_to") else None
    db_session.flush()
    return added


def empty(db_session: Session) -> bool:
    return not db_session.scalar(select(func.count()).select_from(UnitVersion))


def apply_change(*, db_session: Session, change: dict, now: dt.datetime) -> bool:
    """Apply intake's change of a unit version (the event's data); False when it is older than the row."""
    data, version = change.get("data") or {}, change.get("reference_version")
    try:
        code, valid_from = domain.parse_key(change["key"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"units change without a code@valid_from key: {change.get('key')!r}") from exc
    query = select(UnitVersion).where(UnitVersion.code == code, UnitVersion.valid_from == valid_from)
    if db_session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # a second worker's change of the same version waits for this one
    row = db_session.scalar(query)
    if row is not None and not domain.newer(row.reference_version, version):
        log.info(
            "unit copy: change %s of %s is not newer than %s; ignored", version, change["key"], row.reference_version
        )
        return False
    if row is None:
        row = UnitVersion(code=code, valid_from=valid_from, name=code)
        db_session.add(row)
    if change.get("action") == "deleted":
        row.removed = True
    else:
        row.removed = False
        row.name = data.get("name") or row.name
        row.level = data.get("level", row.level)
        if "valid_to" in data:
            row.valid_to = dt.date.fromisoformat(data["valid_to"]) if data["valid_to"] else None
        row.intake_id = data.get("id", row.intake_id)
        row.parent = _parent_code(db_session, data, row.parent)
    row.reference_version, row.changed_at = version, now
    db_session.flush()
    return True


def _parent_code(db_session: Session, data: dict, current: str | None) -> str | None:
    """The parent's code: named in the change, or the version intake's ``parent_id`` is, when the copy knows
    that id (a version seeded from the files learns its id only from a change of its own)."""
    if data.get("parent_code") or "parent_id" not in data:
        return data.get("parent_code") or current
    if data["parent_id"] is None:
        return None
    parent = db_session.scalar(select(UnitVersion.code).where(UnitVersion.intake_id == data["parent_id"]))
    return parent or current


def directory(db_session: Session) -> domain.Directory:
    """Every version in the copy (not the removed ones), to name places by."""
    rows = db_session.scalars(select(UnitVersion).where(UnitVersion.removed.is_(False)))
    return domain.Directory(
        {
            "code": row.code,
            "name": row.name,
            "level": row.level,
            "parent": row.parent,
            "valid_from": row.valid_from.isoformat(),
            "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        }
        for row in rows
    )


def in_request() -> domain.Directory:
    """The copy, read once per request (a list of cases names each case's unit)."""
    from flask import g

    from tiepdan_common.web import db_session

    if "units" not in g:
        g.units = directory(db_session())
    return g.units


def unit_name(code: str, on: dt.date | None = None) -> str:
    """In a request: the name of ``code`` on ``on`` (today in Viet Nam by default)."""
    return in_request().name(code, on or today())
