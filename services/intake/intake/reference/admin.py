"""An administrator's changes to reference data: unit versions and their successions, legal rules (the
calendar's days and years: ``calendar_admin``). Each change is audited (reference_changes) and published as
``intake.reference.changed`` through the outbox, in the change's own transaction.

Changes are serialised by a row lock on ``reference_version`` (taken first, held to the commit), so two
administrators never both add overlapping versions of one code: the second waits, then sees the first's
row and is refused. The version triggers of migration 0005 bump the number in the same transaction; every
API process then reloads within its max age (``cache.py``), this one at once (``invalidate`` after the commit).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session

from tiepdan_common.context import request_id_var
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from ..database import outbox
from .cache import read_version
from .models import (
    LegalRule,
    ReferenceChange,
    ReferenceVersion,
    Unit,
    UnitSuccession,
)

_VERSION_ROW = ReferenceVersion.__table__


def lock(db_session: Session) -> None:
    """Serialise reference changes: the version row, locked until the commit (a no-op write on SQLite)."""
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(select(_VERSION_ROW.c.id).where(_VERSION_ROW.c.id == 1).with_for_update())
    else:  # SQLite takes the database's write lock with the first write
        db_session.execute(update(_VERSION_ROW).where(_VERSION_ROW.c.id == 1).values(version=_VERSION_ROW.c.version))


def _unit_dict(u: Unit) -> dict:
    parent = object_session(u).get(Unit, u.parent_id) if u.parent_id else None
    return {
        "id": u.id,
        "code": u.code,
        "name": u.name,
        "level": u.level,
        "parent_id": u.parent_id,
        # Other services keep units by code: the parent's code lets them place a unit whose parent came from files.
        "parent_code": parent.code if parent else None,
        "valid_from": u.valid_from.isoformat(),
        "valid_to": u.valid_to.isoformat() if u.valid_to else None,
        "source": u.source,
        "confirmed": u.confirmed,
        "note": u.note,
    }


def record(
    db_session: Session,
    identity: Identity,
    *,
    table: str,
    action: str,
    key: str,
    before,
    after,
    effective_from: dt.date | None,
    reason: str | None = None,
) -> None:
    """Audit the change and stage its event (after the change's own statements, so the version has moved)."""
    db_session.flush()
    changed_at = now()
    db_session.add(
        ReferenceChange(
            changed_at=changed_at,
            actor=identity.subject,
            actor_kind=identity.kind,
            table_name=table,
            action=action,
            record_key=key,
            before=before,
            after=after,
            reason=reason,
            request_id=request_id_var.get(),
        )
    )
    outbox.add(
        db_session,
        "intake.reference.changed",
        {
            "table": table,
            "action": action,
            "key": key,
            "effective_from": effective_from.isoformat() if effective_from else None,
            "reference_version": read_version(db_session),
            "changed_at": changed_at.isoformat(),
            "changed_by": identity.subject,
            "data": after or {},
        },
    )


def _version_on(db_session: Session, code: str, on: dt.date) -> Unit | None:
    return db_session.scalars(
        select(Unit).where(Unit.code == code, Unit.valid_from <= on, (Unit.valid_to.is_(None)) | (Unit.valid_to >= on))
    ).first()


def _check_no_overlap(
    db_session: Session, *, code: str, valid_from: dt.date, valid_to: dt.date | None, unit_id: int | None = None
) -> None:
    for other in db_session.scalars(select(Unit).where(Unit.code == code)):
        if other.id == unit_id:
            continue
        if other.valid_from <= (valid_to or dt.date.max) and valid_from <= (other.valid_to or dt.date.max):
            raise field_error(
                "valid_from",
                f"unit {code} already has a version in force from "
                f"{other.valid_from.isoformat()} (id {other.id}); close it first "
                "(valid_to) or choose other dates",
                status=409,
                code="conflict",
            )


def create_unit(*, db_session: Session, identity: Identity, data: dict) -> Unit:
    """Add a unit version; its parent is the version of ``parent_code`` in force on its first day."""
    lock(db_session)
    if data.get("valid_to") and data["valid_to"] < data["valid_from"]:
        raise field_error("valid_to", "must not be before valid_from")
    parent = None
    if data.get("parent_code"):
        parent = _version_on(db_session, data["parent_code"], data["valid_from"])
        if parent is None:
            raise field_error("parent_code", f"no unit {data['parent_code']} in force on {data['valid_from']}")
    _check_no_overlap(db_session, code=data["code"], valid_from=data["valid_from"], valid_to=data.get("valid_to"))
    unit = Unit(
        code=data["code"],
        name=data["name"],
        level=data["level"],
        parent_id=parent.id if parent else None,
        valid_from=data["valid_from"],
        valid_to=data.get("valid_to"),
        source=data["source"],
        confirmed=data.get("confirmed", True),
        note=data.get("note"),
    )
    db_session.add(unit)
    db_session.flush()
    record(
        db_session,
        identity,
        table="units",
        action="created",
        key=f"{unit.code}@{unit.valid_from}",
        before=None,
        after=_unit_dict(unit),
        effective_from=unit.valid_from,
    )
    return unit


def update_unit(*, db_session: Session, identity: Identity, unit_id: int, data: dict) -> Unit:
    """Change a version's name, end date, source, confirmation or note (a new version for a new shape)."""
    lock(db_session)
    unit = db_session.get(Unit, unit_id)
    if unit is None:
        raise Problem(404, "No such unit version.", code="not_found")
    before = _unit_dict(unit)
    valid_to = data.get("valid_to", unit.valid_to)
    if valid_to is not None and valid_to < unit.valid_from:
        raise field_error("valid_to", "must not be before valid_from")
    _check_no_overlap(db_session, code=unit.code, valid_from=unit.valid_from, valid_to=valid_to, unit_id=unit.id)
    for name in ("name", "valid_to", "source", "confirmed", "note"):
        if name in data:
            setattr(unit, name, data[name])
    record(
        db_session,
        identity,
        table="units",
        action="updated",
        key=f"{unit.code}@{unit.valid_from}",
        before=before,
        after=_unit_dict(unit),
        effective_from=unit.valid_from,
        reason=data.get("reason"),
    )
    return unit


def create_succession(*, db_session: Session, identity: Identity, data: dict) -> UnitSuccession:
    """Link a unit version to the one that succeeded it (merge, split, rename, abolition)."""
    lock(db_session)
    before, after = db_session.get(Unit, data["predecessor_id"]), db_session.get(Unit, data["successor_id"])
    if before is None:
        raise field_error("predecessor_id", "no such unit version")
    if after is None or after.id == before.id:
        raise field_error("successor_id", "no such unit version")
    exists = db_session.scalars(
        select(UnitSuccession).where(
            UnitSuccession.predecessor_id == before.id, UnitSuccession.successor_id == after.id
        )
    ).first()
    if exists is not None:
        raise field_error("successor_id", "this succession is already recorded", status=409, code="conflict")
    link = UnitSuccession(
        predecessor_id=before.id,
        successor_id=after.id,
        kind=data["kind"],
        effective_on=data["effective_on"],
        legal_act=data["legal_act"],
        confirmed=data.get("confirmed", True),
    )
    db_session.add(link)
    db_session.flush()
    record(
        db_session,
        identity,
        table="unit_successions",
        action="created",
        key=f"{before.id}->{after.id}",
        before=None,
        after={
            "id": link.id,
            "predecessor_id": before.id,
            "successor_id": after.id,
            "kind": link.kind,
            "effective_on": link.effective_on.isoformat(),
            "legal_act": link.legal_act,
            "confirmed": link.confirmed,
        },
        effective_from=link.effective_on,
    )
    return link


def _rule_dict(r: LegalRule) -> dict:
    return {
        "key": r.key,
        "effective_from": r.effective_from.isoformat(),
        "value": r.value,
        "source": r.source,
        "confirmed": r.confirmed,
        "note": r.note,
    }


def create_rule(*, db_session: Session, identity: Identity, data: dict) -> LegalRule:
    """Add a legal rule in force from a date (a past row is never edited: the law changes by new rows)."""
    lock(db_session)
    if db_session.get(LegalRule, (data["key"], data["effective_from"])) is not None:
        raise field_error(
            "effective_from",
            f"rule {data['key']} already has a row from {data['effective_from']}",
            status=409,
            code="conflict",
        )
    rule = LegalRule(
        key=data["key"],
        effective_from=data["effective_from"],
        value=data["value"],
        source=data["source"],
        confirmed=data.get("confirmed", True),
        note=data.get("note"),
    )
    db_session.add(rule)
    record(
        db_session,
        identity,
        table="legal_rules",
        action="created",
        key=f"{rule.key}@{rule.effective_from}",
        before=None,
        after=_rule_dict(rule),
        effective_from=rule.effective_from,
    )
    return rule


def list_changes(*, db_session: Session, limit: int = 200) -> list[ReferenceChange]:
    """The newest administrators' changes first."""
    return list(
        db_session.scalars(
            select(ReferenceChange).order_by(ReferenceChange.changed_at.desc(), ReferenceChange.id.desc()).limit(limit)
        )
    )
