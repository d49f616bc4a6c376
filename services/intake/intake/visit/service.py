"""Recording and reading visits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.models import utcnow

from .. import listing
from ..confidential import service as confidential
from ..database import outbox
from ..reference import service as reference
from ..text import fold, like_pattern
from . import domain
from .models import SerialCounter, Visit, VisitCitizen

CLOCK_SKEW = dt.timedelta(minutes=5)

SORT_KEYS = {
    "received_at": listing.SortKey(Visit.received_at, lambda v: v.received_at, dt.datetime.fromisoformat,
                                   lambda v: v.isoformat()),
    "created_at": listing.SortKey(Visit.created_at, lambda v: v.created_at, dt.datetime.fromisoformat,
                                  lambda v: v.isoformat()),
    "serial": listing.SortKey(Visit.serial, lambda v: v.serial, str),
    "group_size": listing.SortKey(Visit.group_size, lambda v: v.group_size, int),
}


def next_serial(*, db_session: Session, unit: str, year: int, counter_model=SerialCounter) -> str:
    """The next register number of ``unit`` for ``year`` (e.g. ``31684/2026/000012``)."""
    counter = counter_model.__table__
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
                db_session.add(counter_model(unit=unit, year=year, last=0))
        except IntegrityError:
            pass  # another request created the counter first; increment it
    raise RuntimeError("could not allocate a serial number")


def scope_unit(identity: Identity, requested: str | None) -> str:
    """The receiving unit a caller may write to: a commune writes only to its own commune."""
    if identity.is_commune:
        if requested and requested != identity.unit:
            raise field_error("receiving_unit", "a commune records only at its own desk", status=403, code="forbidden")
        return identity.unit
    return requested or identity.unit or ""


def check_units(*, db_session: Session, receiving_unit: str, origin_unit: str, field: str) -> None:
    """Raise a problem naming the field when a unit or field code is unknown."""
    if reference.get_unit(db_session=db_session, code=receiving_unit) is None:
        raise field_error("receiving_unit", f"unknown unit code {receiving_unit!r}")
    if reference.get_unit(db_session=db_session, code=origin_unit) is None:
        raise field_error("origin_unit", f"unknown unit code {origin_unit!r}")
    if reference.get_field(db_session=db_session, code=field) is None:
        raise field_error("field", f"unknown field {field!r}")


def check_received_at(received_at: dt.datetime | None) -> dt.datetime:
    """The time of receipt: now by default, never in the future."""
    now = utcnow()
    received_at = received_at or now
    if received_at > now + CLOCK_SKEW:
        raise field_error("received_at", "is in the future")
    return received_at


def _visible(stmt, identity: Identity):
    return stmt.where(Visit.receiving_unit == identity.unit) if identity.is_commune else stmt


def find_repeat(*, db_session: Session, identity: Identity, citizens: list[dict], origin_unit: str, field: str,
                category: str) -> Visit | None:
    """The first visit, visible to the caller, by one of these citizens about the same matter."""
    ids, names = [], []
    for person in citizens:
        by_id, by_name = confidential.lookup_indexes(person)
        ids += by_id
        names += by_name
    if not ids and not names:
        return None
    matches = select(VisitCitizen.visit_id).where(
        or_(VisitCitizen.id_index.in_(ids or [""]), VisitCitizen.name_index.in_(names or [""]))
    )
    stmt = _visible(select(Visit), identity).where(
        Visit.id.in_(matches), Visit.origin_unit == origin_unit, Visit.field_code == field,
        Visit.category == category,
    )
    found = db_session.scalars(stmt.order_by(Visit.received_at, Visit.id).limit(1)).first()
    if found is not None and found.repeat_of:
        return db_session.get(Visit, found.repeat_of) or found
    return found


def create(*, db_session: Session, identity: Identity, data: dict) -> Visit:
    """Record a visit and stage ``intake.visit.recorded`` in the same transaction."""
    received_at = check_received_at(data["received_at"])
    receiving_unit = scope_unit(identity, data["receiving_unit"])
    origin_unit = data["origin_unit"] or receiving_unit
    check_units(db_session=db_session, receiving_unit=receiving_unit, origin_unit=origin_unit, field=data["field"])

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

    if data.get("repeat_of"):
        earlier = get(db_session=db_session, identity=identity, visit_id=data["repeat_of"], field="repeat_of")
        earlier = db_session.get(Visit, earlier.repeat_of) if earlier.repeat_of else earlier
    else:
        earlier = find_repeat(db_session=db_session, identity=identity, citizens=citizens, origin_unit=origin_unit,
                              field=data["field"], category=data["category"])
    subject = data.get("subject")
    receiving = reference.get_unit(db_session=db_session, code=receiving_unit)
    origin = reference.get_unit(db_session=db_session, code=origin_unit)
    over_level = domain.goes_over_level(
        declared=data["over_level"], receiving_level=receiving.level, origin_level=origin.level,
        receiving_is_ancestor=reference.is_ancestor(db_session=db_session, ancestor=receiving_unit, code=origin_unit),
    )
    visit = Visit(
        serial=next_serial(db_session=db_session, unit=receiving_unit, year=received_at.year),
        receiving_unit=receiving_unit,
        receiving_officer=data["receiving_officer"] or identity.officer,
        received_at=received_at,
        category=data["category"],
        field_code=data["field"],
        origin_unit=origin_unit,
        subject=subject,
        content=data["content"],
        prior_handling=data["prior_handling"],
        citizen_request=data["citizen_request"],
        search_text=fold(" ".join(filter(None, (subject, data["content"], data["citizen_request"])))),
        matter_key=earlier.matter_key if earlier else domain.matter_key(
            origin_unit=origin_unit, field=data["field"], subject_folded=fold(subject)),
        repeat_of=earlier.id if earlier else None,
        group_size=group_size,
        is_mass=domain.is_mass(group_size, threshold),
        over_level=over_level,
        outcome=outcome["type"],
        competent_body=outcome["competent_body"],
        refusal_ground=outcome["refusal_ground"],
        created_by=identity.subject,
        citizens=[
            VisitCitizen(position=i, is_representative=c["is_representative"], **confidential.seal(c))
            for i, c in enumerate(citizens)
        ],
    )
    db_session.add(visit)
    if earlier is not None:
        db_session.execute(update(Visit).where(Visit.id == earlier.id).values(repeat_count=Visit.repeat_count + 1))
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
            "matter_key": visit.matter_key,
            "repeat_of": visit.repeat_of,
            "over_level": visit.over_level,
        },
    )
    visit.earlier = earlier
    present(db_session=db_session, identity=identity, visit=visit, unmasked=False)
    return visit


def present(*, db_session: Session, identity: Identity, visit: Visit, unmasked: bool) -> Visit:
    """Attach the citizens as the caller may see them (``visit.people``); unmasked reads are audited."""
    visit.people = confidential.present(
        db_session=db_session, identity=identity, record_type="visit", record_id=visit.id, people=visit.citizens,
        strict=visit.category == "denunciation", unmasked=unmasked,
    )
    return visit


def get(*, db_session: Session, identity: Identity, visit_id: str, field: str | None = None) -> Visit:
    """The visit, if the caller may see it; otherwise 404 (existence is not leaked)."""
    visit = db_session.get(Visit, visit_id) if len(visit_id) <= 36 else None
    if visit is None or (identity.is_commune and visit.receiving_unit != identity.unit):
        if field:
            raise field_error(field, "no such visit")
        raise Problem(404, "No such visit.", code="not_found")
    return visit


def filtered(*, identity: Identity, query: dict):
    """The SELECT of visits the caller may see, narrowed by the list filters."""
    stmt = _visible(select(Visit), identity)
    if query.get("unit"):
        stmt = stmt.where(or_(Visit.receiving_unit == query["unit"], Visit.origin_unit == query["unit"]))
    if query.get("date_from"):
        stmt = stmt.where(Visit.received_at >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(Visit.received_at < query["date_to"])
    for column, key in ((Visit.category, "category"), (Visit.field_code, "field"), (Visit.outcome, "outcome")):
        if query.get(key):
            stmt = stmt.where(column == query[key])
    if query.get("mass") is not None:
        stmt = stmt.where(Visit.is_mass.is_(query["mass"]))
    if query.get("over_level") is not None:
        stmt = stmt.where(Visit.over_level.is_(query["over_level"]))
    if query.get("repeat") is not None:
        stmt = stmt.where(Visit.repeat_of.is_not(None) if query["repeat"] else Visit.repeat_of.is_(None))
    if query.get("q"):
        stmt = stmt.where(Visit.search_text.like(like_pattern(query["q"]), escape="\\"))
    return stmt


def list_page(*, db_session: Session, identity: Identity, query: dict) -> tuple[list[Visit], str | None]:
    """A page of visits in the asked order (newest first by default), with a keyset cursor."""
    rows, cursor = listing.page(
        db_session=db_session, stmt=filtered(identity=identity, query=query), sort=query.get("sort") or "-received_at",
        keys=SORT_KEYS, id_column=Visit.id, cursor=query.get("cursor"), limit=query["limit"],
    )
    for visit in rows:
        present(db_session=db_session, identity=identity, visit=visit, unmasked=False)
    return rows, cursor


def statistics(*, db_session: Session, identity: Identity, query: dict) -> dict:
    """Counts of visits in a period by category, field, unit and outcome (for periodic reports)."""
    base = filtered(identity=identity, query=query).subquery()
    out = {"total": 0, "mass": 0, "over_level": 0, "repeats": 0, "citizens": 0}
    row = db_session.execute(
        select(func.count(), func.coalesce(func.sum(base.c.group_size), 0))
        .select_from(base)
    ).one()
    out["total"], out["citizens"] = row[0], int(row[1])
    for key, column in (("mass", base.c.is_mass), ("over_level", base.c.over_level)):
        out[key] = db_session.scalar(select(func.count()).select_from(base).where(column.is_(True)))
    out["repeats"] = db_session.scalar(select(func.count()).select_from(base).where(base.c.repeat_of.is_not(None)))
    for key, column in (("by_category", base.c.category), ("by_field", base.c.field_code),
                        ("by_unit", base.c.receiving_unit), ("by_origin_unit", base.c.origin_unit),
                        ("by_outcome", base.c.outcome)):
        rows = db_session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
        out[key] = {value: count for value, count in rows}
    return out


def export_rows(*, db_session: Session, identity: Identity, query: dict, limit: int = 100_000):
    """Visits of the period in register order (oldest first), citizens masked, for an export."""
    stmt = filtered(identity=identity, query=query).order_by(Visit.received_at, Visit.id).limit(limit)
    for visit in db_session.scalars(stmt):
        yield present(db_session=db_session, identity=identity, visit=visit, unmasked=False)
