"""Keeping notify's copy of unit names: seeded from the reference files, then following
``intake.reference.changed`` (table ``units``), so a unit an administrator adds in intake is named in messages.

Idempotent twice over: the consumer drops a redelivered message by id, and a change no newer than the
version's row (intake's ``reference_version``) is ignored, so out-of-order messages converge.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.messaging.consumer import Consumer, PermanentFailure
from tiepdan_common.messaging.envelope import Envelope

from ..config import NotifySettings
from .models import UnitName

log = logging.getLogger(__name__)

EVENT = "intake.reference.changed"
CONSUMER_NAME = "reference-events"


def reference_folder(configured: Path | None = None) -> Path | None:
    """The reference data's folder: ``configured`` (``REFERENCE_DIR``), else ``reference`` here or above."""
    candidates = [
        configured,
        Path(os.environ["REFERENCE_DIR"]) if os.environ.get("REFERENCE_DIR") else None,
        Path.cwd() / "reference",
        *(p / "reference" for p in Path(__file__).resolve().parents),
    ]
    for folder in candidates:
        if folder is not None and (Path(folder) / "fields.json").is_file():
            return Path(folder)
    return None


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def seed(db_session: Session, folder: Path | None) -> int:
    """Add the files' unit versions that the copy lacks (a version intake changed is left as it is)."""
    if folder is None:
        log.warning("no reference folder: unit names are not seeded (messages show unit codes)")
        return 0
    have = {(code, since) for code, since in db_session.execute(select(UnitName.code, UnitName.valid_from))}
    added = 0
    for path in sorted(folder.glob("units-*.json")):  # dated versions: 2024's tree, then 2025's
        for version in json.loads(path.read_text(encoding="utf-8"))["units"]:
            key = (str(version["code"]), _date(version["valid_from"]))
            if key in have:
                continue
            have.add(key)
            db_session.add(
                UnitName(code=key[0], valid_from=key[1], valid_to=_date(version.get("valid_to")), name=version["name"])
            )
            added += 1
    db_session.flush()
    return added


def is_empty(db_session: Session) -> bool:
    return db_session.scalar(select(UnitName.code).limit(1)) is None


def apply_change(db_session: Session, data: dict, *, now: dt.datetime) -> bool:
    """Apply one ``units`` change of intake's; False when it is no newer than the copy's row."""
    row_data, version = data.get("data") or {}, data.get("reference_version")
    code, _, since = str(data.get("key") or "").partition("@")
    code = str(row_data.get("code") or code)
    try:
        valid_from = _date(row_data.get("valid_from") or since)
        valid_to = _date(row_data.get("valid_to"))
    except ValueError as exc:
        raise PermanentFailure(f"units change with a bad date: {data.get('key')!r}") from exc
    if not code or valid_from is None:
        raise PermanentFailure(f"units change without code@valid_from: {data.get('key')!r}")
    name = row_data.get("name")
    if data.get("action") != "deleted" and not name:
        raise PermanentFailure(f"units change of {code}@{valid_from} without a name")
    row = db_session.get(UnitName, (code, valid_from))
    known = row.reference_version if row is not None else None
    if known is not None and version is not None and version <= known:
        log.info("unit names: change %s of %s@%s is not newer than %s; ignored", version, code, valid_from, known)
        return False
    if row is None:
        row = UnitName(code=code, valid_from=valid_from, name=name or "")
        db_session.add(row)
    if data.get("action") == "deleted":
        row.deleted = True
    else:
        row.name, row.valid_to, row.deleted = name, valid_to, False
    row.reference_version, row.changed_at = version, now
    db_session.flush()
    return True


def names(db_session: Session) -> dict[str, list[dict]]:
    """Every unit's versions, as :func:`tiepdan_common.dated.version_on` takes them (ISO dates)."""
    out: dict[str, list[dict]] = {}
    for row in db_session.scalars(select(UnitName).where(UnitName.deleted.is_(False))):
        out.setdefault(row.code, []).append(
            {
                "name": row.name,
                "valid_from": row.valid_from.isoformat(),
                "valid_to": row.valid_to.isoformat() if row.valid_to else None,
            }
        )
    return out


def handle(db_session: Session, event: Envelope, *, settings: NotifySettings) -> None:
    """One ``intake.reference.changed``: units are applied to the copy; other tables are not notify's."""
    data = event.data
    if data.get("table") != "units":
        return
    if is_empty(db_session):  # a worker that starts before ``seed`` has run
        seed(db_session, reference_folder(settings.reference_dir))
    if apply_change(db_session, data, now=settings.clock()):
        log.info("unit names: %s %s", data.get("action"), data.get("key"))


def consumer(settings: NotifySettings) -> Consumer:
    """The consumer of intake's reference changes the notify worker runs."""
    return Consumer(CONSUMER_NAME, {EVENT: lambda session, event: handle(session, event, settings=settings)})
