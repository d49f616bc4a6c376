"""The petitions book: lists with filters and search, statistics and export rows, as the caller may see them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from .. import listing, search
from ..reference import service as reference
from . import access
from .models import Petition
from .service import NOT_INFORMED, OPEN_STAGES, SORT_KEYS, _visible, present


def overdue_condition(day: dt.date):
    """SQL: the petition is past a deadline it has not met (as of ``day``)."""
    return or_(
        and_(Petition.stage.in_(OPEN_STAGES), Petition.deadline < day),
        and_(
            Petition.status.not_in(NOT_INFORMED), Petition.citizen_informed_on.is_(None), Petition.inform_deadline < day
        ),
    )


def filtered(*, db_session: Session, identity: Identity, query: dict):
    """The SELECT of petitions the caller may see, narrowed by the list filters."""
    stmt = _visible(select(Petition), identity)
    if query.get("unit") and query.get("include_predecessors"):
        # Today's unit with every unit it succeeded: petitions keep the unit versions of their day (0011).
        ids = sorted(reference.lineage(db_session=db_session, code=query["unit"])) or [-1]
        stmt = stmt.where(or_(Petition.receiving_unit_id.in_(ids), Petition.origin_unit_id.in_(ids)))
    elif query.get("unit"):
        stmt = stmt.where(or_(Petition.receiving_unit == query["unit"], Petition.origin_unit == query["unit"]))
    if query.get("date_from"):
        stmt = stmt.where(Petition.received_at >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(Petition.received_at < query["date_to"])
    for column, key in (
        (Petition.category, "category"),
        (Petition.field_code, "field"),
        (Petition.status, "status"),
        (Petition.channel, "channel"),
        (Petition.decision, "decision"),
        (Petition.matter_key, "matter"),
    ):
        if query.get(key):
            stmt = stmt.where(column == query[key])
    if query.get("anonymous") is not None:
        stmt = stmt.where(Petition.anonymous.is_(query["anonymous"]))
    if query.get("mass") is not None:
        threshold = reference.rule(db_session=db_session, key="group.mass_threshold", on=local_date(now()))
        stmt = stmt.where(
            (Petition.sender_count >= threshold) if query["mass"] else (Petition.sender_count < threshold)
        )
    if query.get("overdue") is not None:
        condition = overdue_condition(local_date(now()))
        stmt = stmt.where(condition if query["overdue"] else ~condition)
    if query.get("q"):
        # A denunciation's text is searched only by its handlers: others do not learn it matches.
        stmt = stmt.where(search.condition(db_session, Petition.search_text, query["q"]), access.searchable(identity))
    return stmt


def _present_all(*, db_session: Session, identity: Identity, rows: list[Petition]) -> None:
    mine = access.handled_ids(db_session=db_session, identity=identity, petition_ids=[p.id for p in rows])
    for petition in rows:
        present(
            db_session=db_session, identity=identity, petition=petition, unmasked=False, handler=petition.id in mine
        )


def list_page(*, db_session: Session, identity: Identity, query: dict) -> tuple[list[Petition], str | None]:
    """A page of petitions in the asked order, with a keyset cursor; senders masked."""
    rows, cursor = listing.page(
        db_session=db_session,
        stmt=filtered(db_session=db_session, identity=identity, query=query),
        sort=query.get("sort") or "-received_at",
        keys=SORT_KEYS,
        id_column=Petition.id,
        cursor=query.get("cursor"),
        limit=query["limit"],
    )
    _present_all(db_session=db_session, identity=identity, rows=rows)
    return rows, cursor


def statistics(*, db_session: Session, identity: Identity, query: dict) -> dict:
    """Counts of petitions in a period by category, field, unit, channel, status and decision."""
    base = filtered(db_session=db_session, identity=identity, query=query).subquery()
    day = local_date(now())
    out = {"total": db_session.scalar(select(func.count()).select_from(base))}
    out["repeats"] = db_session.scalar(select(func.count()).select_from(base).where(base.c.status == "repeat"))
    out["anonymous"] = db_session.scalar(select(func.count()).select_from(base).where(base.c.anonymous.is_(True)))
    out["overdue"] = db_session.scalar(
        select(func.count()).select_from(Petition).where(Petition.id.in_(select(base.c.id)), overdue_condition(day))
    )
    for key, column in (
        ("by_category", base.c.category),
        ("by_field", base.c.field_code),
        ("by_unit", base.c.receiving_unit),
        ("by_channel", base.c.channel),
        ("by_status", base.c.status),
        ("by_decision", base.c.decision),
    ):
        rows = db_session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
        out[key] = {value or "none": count for value, count in rows}
    return out


def export_rows(*, db_session: Session, identity: Identity, query: dict, limit: int = 100_000):
    """Petitions of the period in book order, senders masked, for an export."""
    stmt = filtered(db_session=db_session, identity=identity, query=query)
    stmt = stmt.order_by(Petition.received_at, Petition.id).limit(limit)
    batch: list[Petition] = []
    for petition in db_session.scalars(stmt):
        batch.append(petition)
        if len(batch) == 500:
            _present_all(db_session=db_session, identity=identity, rows=batch)
            yield from batch
            batch = []
    _present_all(db_session=db_session, identity=identity, rows=batch)
    yield from batch
