"""Reading visits (lists, statistics, exports) and the checks a visit's create, correction and a petition share."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from .. import listing, search
from ..reference import service as reference
from ..reference.cache import UnitRef
from . import denounced, rules_of_day
from .access import own_unit_sees_names, present, present_many, read  # noqa: F401  (the visit's readers)
from .models import Visit

CLOCK_SKEW = dt.timedelta(minutes=5)

SORT_KEYS = {
    "received_at": listing.SortKey(
        Visit.received_at, lambda v: v.received_at, dt.datetime.fromisoformat, lambda v: v.isoformat()
    ),
    "created_at": listing.SortKey(
        Visit.created_at, lambda v: v.created_at, dt.datetime.fromisoformat, lambda v: v.isoformat()
    ),
    "serial": listing.SortKey(Visit.serial, lambda v: v.serial, str),
    "group_size": listing.SortKey(Visit.group_size, lambda v: v.group_size, int),
}


def scope_unit(identity: Identity, requested: str | None) -> str:
    """The receiving unit a caller may write to: a commune writes only to its own commune."""
    if identity.is_commune:
        if requested and requested != identity.unit:
            raise field_error("receiving_unit", "a commune records only at its own desk", status=403, code="forbidden")
        return identity.unit
    return requested or identity.unit or ""


def check_units(
    *, db_session: Session, receiving_unit: str, origin_unit: str, field: str, on: dt.date | None = None
) -> tuple[UnitRef, UnitRef]:
    """The receiving and origin units (the versions in force on ``on`` when given); a problem naming the field
    when a unit or field code is unknown, or names no unit in force that day."""
    return reference.against_snapshot(
        db_session,
        lambda snap, final: rules_of_day.units_of_day(
            snap, receiving_unit=receiving_unit, origin_unit=origin_unit, field=field, on=on, final=final
        ),
    )


def check_received_at(received_at: dt.datetime | None) -> dt.datetime:
    """The time of receipt: now by default, never in the future."""
    moment = now()
    received_at = received_at or moment
    if received_at > moment + CLOCK_SKEW:
        raise field_error("received_at", "is in the future")
    return received_at


def _visible(stmt, identity: Identity):
    return stmt.where(Visit.receiving_unit == identity.unit) if identity.is_commune else stmt


def get(*, db_session: Session, identity: Identity, visit_id: str, field: str | None = None) -> Visit:
    """The visit, if the caller may see it; otherwise 404 (existence is not leaked)."""
    visit = db_session.get(Visit, visit_id) if len(visit_id) <= 36 else None
    if visit is None or (identity.is_commune and visit.receiving_unit != identity.unit):
        if field:
            raise field_error(field, "no such visit")
        raise Problem(404, "No such visit.", code="not_found")
    return visit


_UNIT_OF_VISIT = select(Visit.__table__.c.receiving_unit).where(Visit.__table__.c.id == bindparam("visit_id"))


def check_visible(*, db_session: Session, identity: Identity, visit_id: str, field: str) -> None:
    """A problem naming ``field`` unless the visit exists and the caller may see it (nothing else is loaded)."""
    unit = db_session.scalar(_UNIT_OF_VISIT, {"visit_id": visit_id}) if len(visit_id) <= 36 else None
    if unit is None or (identity.is_commune and unit != identity.unit):
        raise field_error(field, "no such visit")


def filtered(*, db_session: Session, identity: Identity, query: dict):
    """The SELECT of visits the caller may see, narrowed by the list filters."""
    stmt = _visible(select(Visit), identity)
    if not query.get("voided"):
        stmt = stmt.where(Visit.voided_at.is_(None))
    if query.get("unit") and query.get("include_predecessors"):
        # Today's unit with every unit it succeeded: records keep the unit version of their day.
        ids = sorted(reference.lineage(db_session=db_session, code=query["unit"])) or [-1]
        stmt = stmt.where(or_(Visit.receiving_unit_id.in_(ids), Visit.origin_unit_id.in_(ids)))
    elif query.get("unit"):
        stmt = stmt.where(or_(Visit.receiving_unit == query["unit"], Visit.origin_unit == query["unit"]))
    if query.get("ids") is not None:  # a citizen search: never to a visit of a denunciation the caller does not handle
        stmt = stmt.where(Visit.id.in_(query["ids"]), Visit.id.not_in(denounced.hidden_from_finder(identity)))
    if query.get("date_from"):
        stmt = stmt.where(Visit.received_at >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(Visit.received_at < query["date_to"])
    for column, key in ((Visit.category, "category"), (Visit.field_code, "field"), (Visit.outcome, "outcome")):
        if query.get(key):
            stmt = stmt.where(column == query[key])
    if query.get("mass") is not None:  # "is_mass IS true" is the partial index's own predicate (migration 0007)
        stmt = stmt.where(Visit.is_mass.is_(query["mass"]))
    if query.get("over_level") is not None:
        stmt = stmt.where(Visit.over_level.is_(query["over_level"]))
    if query.get("repeat") is not None:
        stmt = stmt.where(Visit.repeat_of.is_not(None) if query["repeat"] else Visit.repeat_of.is_(None))
    if query.get("q"):
        stmt = stmt.where(search.condition(db_session, Visit.search_text, query["q"]))
    return stmt


def list_page(*, db_session: Session, identity: Identity, query: dict) -> tuple[list[Visit], str | None]:
    """A page of visits in the asked order (newest first by default), with a keyset cursor."""
    rows, cursor = listing.page(
        db_session=db_session,
        stmt=filtered(db_session=db_session, identity=identity, query=query),
        sort=query.get("sort") or "-received_at",
        keys=SORT_KEYS,
        id_column=Visit.id,
        cursor=query.get("cursor"),
        limit=query["limit"],
    )
    return present_many(db_session=db_session, identity=identity, visits=rows), cursor


def statistics(*, db_session: Session, identity: Identity, query: dict) -> dict:
    """Counts of visits in a period by category, field, unit and outcome (for periodic reports)."""
    base = filtered(db_session=db_session, identity=identity, query=query).subquery()
    out = {"total": 0, "mass": 0, "over_level": 0, "repeats": 0, "citizens": 0}
    row = db_session.execute(
        select(func.count(), func.coalesce(func.sum(base.c.group_size), 0)).select_from(base)
    ).one()
    out["total"], out["citizens"] = row[0], int(row[1])
    for key, column in (("mass", base.c.is_mass), ("over_level", base.c.over_level)):
        out[key] = db_session.scalar(select(func.count()).select_from(base).where(column.is_(True)))
    out["repeats"] = db_session.scalar(select(func.count()).select_from(base).where(base.c.repeat_of.is_not(None)))
    for key, column in (
        ("by_category", base.c.category),
        ("by_field", base.c.field_code),
        ("by_unit", base.c.receiving_unit),
        ("by_origin_unit", base.c.origin_unit),
        ("by_outcome", base.c.outcome),
    ):
        rows = db_session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
        out[key] = {value: count for value, count in rows}
    return out


def export_rows(*, db_session: Session, identity: Identity, query: dict, limit: int = 100_000):
    """Visits of the period in register order (oldest first), citizens masked, for an export."""
    stmt = (
        filtered(db_session=db_session, identity=identity, query=query)
        .order_by(Visit.received_at, Visit.id)
        .limit(limit)
    )
    batch: list[Visit] = []
    for visit in db_session.scalars(stmt):
        batch.append(visit)
        if len(batch) == 500:
            yield from present_many(db_session=db_session, identity=identity, visits=batch)
            batch = []
    yield from present_many(db_session=db_session, identity=identity, visits=batch)
