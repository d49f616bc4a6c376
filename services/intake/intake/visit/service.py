"""Recording and reading visits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.models import utcnow
from tiepdan_common.schemas import decode_cursor, encode_cursor

from ..database import outbox
from ..reference import service as reference
from . import domain
from .models import SerialCounter, Visit, VisitCitizen

CLOCK_SKEW = dt.timedelta(minutes=5)


def next_serial(*, db_session: Session, unit: str, year: int) -> str:
    """The next register number of ``unit`` for ``year`` (e.g. ``31684/2026/000012``)."""
    counter = SerialCounter.__table__
    for _ in range(3):
        number = db_session.execute(
            update(counter)
            .where(counter.c.unit == unit, counter.c.year == year)
            .values(last=counter.c.last + 1)
            .returning(counter.c.last)
        ).scalar()
        if number is not None:
            return f"{unit}/{year}/{number:06d}"
        try:
            with db_session.begin_nested():
                db_session.add(SerialCounter(unit=unit, year=year, last=0))
        except IntegrityError:
            pass  # another request created the counter first; increment it
    raise RuntimeError("could not allocate a serial number")


def _scope_unit(identity: Identity, requested: str | None) -> str:
    """The receiving unit a caller may write to: a commune writes only to its own commune."""
    if identity.is_commune:
        if requested and requested != identity.unit:
            raise field_error("receiving_unit", "a commune records visits only at its own desk", status=403, code="forbidden")
        return identity.unit
    return requested or identity.unit or ""


def create(*, db_session: Session, identity: Identity, data: dict) -> Visit:
    """Record a visit and stage ``intake.visit.recorded`` in the same transaction."""
    now = utcnow()
    received_at = data["received_at"] or now
    if received_at > now + CLOCK_SKEW:
        raise field_error("received_at", "is in the future")
    receiving_unit = _scope_unit(identity, data["receiving_unit"])
    if reference.get_unit(db_session=db_session, code=receiving_unit) is None:
        raise field_error("receiving_unit", f"unknown unit code {receiving_unit!r}")
    origin_unit = data["origin_unit"] or receiving_unit
    if reference.get_unit(db_session=db_session, code=origin_unit) is None:
        raise field_error("origin_unit", f"unknown unit code {origin_unit!r}")
    if reference.get_field(db_session=db_session, code=data["field"]) is None:
        raise field_error("field", f"unknown field {data['field']!r}")

    on = received_at.date()
    citizens = data["citizens"]
    group_size = data["group_size"] or len(citizens)
    representatives = sum(1 for c in citizens if c["is_representative"])
    threshold = reference.rule(db_session=db_session, key="group.mass_threshold", on=on)
    rules = domain.parse_representative_rules(
        reference.rule(db_session=db_session, key="group.representatives", on=on)
    )
    outcome = data["outcome"]
    try:
        domain.check_group(
            group_size=group_size, citizen_count=len(citizens), representative_count=representatives, rules=rules
        )
        domain.check_outcome(
            outcome=outcome["type"],
            competent_body=outcome["competent_body"],
            refusal_ground=outcome["refusal_ground"],
        )
    except domain.RuleViolation as exc:
        raise field_error(exc.field, exc.message) from exc

    visit = Visit(
        serial=next_serial(db_session=db_session, unit=receiving_unit, year=received_at.year),
        receiving_unit=receiving_unit,
        receiving_officer=data["receiving_officer"] or identity.officer,
        received_at=received_at,
        category=data["category"],
        field_code=data["field"],
        origin_unit=origin_unit,
        content=data["content"],
        prior_handling=data["prior_handling"],
        citizen_request=data["citizen_request"],
        group_size=group_size,
        is_mass=domain.is_mass(group_size, threshold),
        over_level=data["over_level"],
        outcome=outcome["type"],
        competent_body=outcome["competent_body"],
        refusal_ground=outcome["refusal_ground"],
        created_by=identity.subject,
        citizens=[VisitCitizen(position=i, **c) for i, c in enumerate(citizens)],
    )
    db_session.add(visit)
    db_session.flush()
    outbox.add(
        db_session,
        "intake.visit.recorded",
        {
            "visit_id": visit.id,
            "serial": visit.serial,
            "receiving_unit": visit.receiving_unit,
            "origin_unit": visit.origin_unit,
            "received_at": visit.received_at.isoformat(),
            "category": visit.category,
            "field": visit.field_code,
            "group_size": visit.group_size,
            "representative_count": representatives,
            "is_mass": visit.is_mass,
            "outcome": visit.outcome,
            "matter_key": f"{visit.origin_unit}:{visit.field_code}",
            "repeat_of": None,
            "over_level": visit.over_level,
        },
    )
    return visit


def get(*, db_session: Session, identity: Identity, visit_id: str) -> Visit:
    """The visit, if the caller may see it; otherwise 404 (existence is not leaked)."""
    visit = db_session.get(Visit, visit_id)
    if visit is None or (identity.is_commune and visit.receiving_unit != identity.unit):
        raise Problem(404, "No such visit.", code="not_found")
    return visit


def list_page(*, db_session: Session, identity: Identity, query: dict) -> tuple[list[Visit], str | None]:
    """A page of visits, newest first, with a keyset cursor for the next page."""
    stmt = select(Visit)
    if identity.is_commune:
        stmt = stmt.where(Visit.receiving_unit == identity.unit)
    if query["unit"]:
        stmt = stmt.where(or_(Visit.receiving_unit == query["unit"], Visit.origin_unit == query["unit"]))
    if query["date_from"]:
        stmt = stmt.where(Visit.received_at >= query["date_from"])
    if query["date_to"]:
        stmt = stmt.where(Visit.received_at < query["date_to"])
    for column, key in ((Visit.category, "category"), (Visit.field_code, "field"), (Visit.outcome, "outcome")):
        if query[key]:
            stmt = stmt.where(column == query[key])
    if query["mass"] is not None:
        stmt = stmt.where(Visit.is_mass.is_(query["mass"]))
    if query["cursor"]:
        try:
            at, last_id = decode_cursor(query["cursor"])
            at = dt.datetime.fromisoformat(at)
        except (ValueError, TypeError, AttributeError) as exc:
            raise field_error("cursor", "not a valid cursor") from exc
        stmt = stmt.where(or_(Visit.received_at < at, and_(Visit.received_at == at, Visit.id < last_id)))
    limit = query["limit"]
    rows = list(db_session.scalars(stmt.order_by(Visit.received_at.desc(), Visit.id.desc()).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([last.received_at.isoformat(), last.id])
    return rows, next_cursor
