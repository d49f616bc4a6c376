"""Recording and reading visits."""

from __future__ import annotations

import datetime as dt
import functools
from types import SimpleNamespace

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from .. import listing, search
from ..confidential import service as confidential
from ..reference import service as reference
from ..reference.cache import UnitRef
from ..text import fold
from . import denounced, domain, finder, rules_of_day, writes
from .access import own_unit_sees_names, present, present_many, read  # noqa: F401  (the visit's readers)
from .models import SerialCounter, Visit, VisitCitizen, new_id

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


@functools.cache
def _increment(counter_model):
    """UPDATE <counter> SET last = last + 1 WHERE unit = ... AND year = ... RETURNING last (built once)."""
    counter = counter_model.__table__
    return (
        update(counter)
        .where(counter.c.unit == bindparam("counter_unit"), counter.c.year == bindparam("counter_year"))
        .values(last=counter.c.last + 1)
        .returning(counter.c.last)
    )


def register_number(unit: str, year: int, number: int) -> str:
    """A register number as written: ``31684/2026/000012`` (six digits at least; on PostgreSQL a create's
    number is written by its statement, ``writes.record``, the same way)."""
    return f"{writes.register_prefix(unit, year)}{number:06d}"


def next_serial(*, db_session: Session, unit: str, year: int, counter_model=SerialCounter) -> str:
    """The next register number of ``unit`` for ``year`` (e.g. ``31684/2026/000012``).

    The counter row's lock, held to the end of the transaction, orders concurrent writers: numbers
    have no gaps (a rolled-back create gives its number back) and no duplicates.
    """
    increment = _increment(counter_model)
    for _ in range(3):
        number = db_session.execute(increment, {"counter_unit": unit, "counter_year": year}).scalar()
        if number is not None:
            return register_number(unit, year, number)
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


def check_units(
    *, db_session: Session, receiving_unit: str, origin_unit: str, field: str, on: dt.date | None = None
) -> tuple[UnitRef, UnitRef]:
    """The receiving and origin units (the versions in force on ``on`` when given); a problem naming the field
    when a unit or field code is unknown, or names no unit in force that day."""
    found = []
    for name, code in (("receiving_unit", receiving_unit), ("origin_unit", origin_unit)):
        unit = reference.get_unit(db_session=db_session, code=code)
        if unit is None:
            raise field_error(name, f"unknown unit code {code!r}")
        if on is not None:
            unit = reference.unit_on(db_session=db_session, code=code, on=on)
            if unit is None:
                raise field_error(
                    name,
                    f"unit {code} is not in force on {on.isoformat()} "
                    f"(đơn vị {code} không còn hoặc chưa tồn tại vào ngày {on:%d/%m/%Y})",
                )
        found.append(unit)
    if reference.get_field(db_session=db_session, code=field) is None:
        raise field_error("field", f"unknown field {field!r}")
    return found[0], found[1]


def check_received_at(received_at: dt.datetime | None) -> dt.datetime:
    """The time of receipt: now by default, never in the future."""
    moment = now()
    received_at = received_at or moment
    if received_at > moment + CLOCK_SKEW:
        raise field_error("received_at", "is in the future")
    return received_at


def _visible(stmt, identity: Identity):
    return stmt.where(Visit.receiving_unit == identity.unit) if identity.is_commune else stmt


_visits = Visit.__table__


def _repeat_query(*, commune: bool):
    """The first visit by citizens carrying one of the blind indexes, about one matter (built once; on
    PostgreSQL the same lookup goes in two steps, ``writes.find_earlier``)."""
    citizens = VisitCitizen.__table__
    matches = select(citizens.c.visit_id).where(
        or_(
            citizens.c.id_index.in_(bindparam("ids", expanding=True)),
            citizens.c.name_index.in_(bindparam("names", expanding=True)),
        )
    )
    return writes.earliest_about_matter(_visits.c.id.in_(matches), commune=commune)


_REPEAT_QUERIES = {commune: _repeat_query(commune=commune) for commune in (False, True)}
_EARLIER_BY_ID = select(*writes.EARLIER_COLUMNS).where(_visits.c.id == bindparam("visit_id"))
_UNIT_OF_VISIT = select(_visits.c.receiving_unit).where(_visits.c.id == bindparam("visit_id"))


def _earlier(db_session: Session, visit_id: str) -> SimpleNamespace | None:
    """A visit's ``writes.EARLIER_NAMES``, or None."""
    row = db_session.execute(_EARLIER_BY_ID, {"visit_id": visit_id}).first()
    return SimpleNamespace(**row._mapping) if row is not None else None


def find_repeat(*, db_session: Session, lookup: dict) -> SimpleNamespace | None:
    """The first visit, visible to the caller, by citizens carrying one of the blind indexes of ``lookup``
    (``ids``, ``names``, ``origin_unit``, ``field``, ``category``, and ``unit`` for a commune) about the
    same matter (its ``writes.EARLIER_NAMES``), or None."""
    found = db_session.execute(_REPEAT_QUERIES["unit" in lookup], lookup).first()
    if found is None:
        return None
    return _first_of(db_session, SimpleNamespace(**found._mapping))


def _first_of(db_session: Session, found: SimpleNamespace | None) -> SimpleNamespace | None:
    """The first visit of the matter of ``found`` (itself unless it is a repeat)."""
    if found is not None and found.repeat_of:
        return _earlier(db_session, found.repeat_of) or found
    return found


def create(*, db_session: Session, identity: Identity, data: dict) -> SimpleNamespace:
    """Record a visit and stage ``intake.visit.recorded`` in the same transaction; the visit as answered.

    Reference data comes from the process's cache (intake.reference.cache). On PostgreSQL the
    statements are two (``writes``): the visits of the same citizens, then the number, the visit,
    its citizens, the outbox event (and the first visit's repeat count on a repeat), committed as
    they run unless a transaction is open on the session; one more picks the first visit of the
    matter when the citizens have visited before. Elsewhere the same work goes a statement at a time.
    Nothing that can fail comes after the write.
    """
    ctes = writes.uses_ctes(db_session)
    if ctes:
        writes.begin(db_session)
    received_at = check_received_at(data["received_at"])
    receiving_unit = scope_unit(identity, data["receiving_unit"])
    origin_unit = data["origin_unit"] or receiving_unit
    on = local_date(received_at)  # the day at the desk, in Viet Nam
    receiving, origin = check_units(
        db_session=db_session, receiving_unit=receiving_unit, origin_unit=origin_unit, field=data["field"], on=on
    )
    citizens = data["citizens"]
    channel = data.get("channel") or "in_person"
    rules_of_day.check_visit(db_session=db_session, on=on, channel=channel, citizens=citizens)
    group_size = data["group_size"] or len(citizens)
    representatives = sum(1 for c in citizens if c["is_representative"])
    threshold = reference.rule(db_session=db_session, key="group.mass_threshold", on=on)
    rules = domain.parse_representative_rules(reference.rule(db_session=db_session, key="group.representatives", on=on))
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

    named = bool(data.get("repeat_of"))
    if named:  # named by the desk: it must be a visit the caller may see
        given = _earlier(db_session, data["repeat_of"])
        if given is None or (identity.is_commune and given.receiving_unit != identity.unit):
            raise field_error("repeat_of", "no such visit")
        earlier = _earlier(db_session, given.repeat_of) if given.repeat_of else given
    # Encryption and blind indexes before the serial counter's row lock is taken: the lock is held
    # from the number to the commit, and nothing in between waits on work that could come first.
    cipher = confidential.current_cipher()
    indexes = [confidential.lookup_indexes(c, cipher=cipher) for c in citizens]
    sealed = [
        {**confidential.seal(c, cipher=cipher, indexes=found), **finder.search_indexes(c, cipher=cipher)}
        for c, found in zip(citizens, indexes)
    ]
    lookup = None
    if not named:
        ids = [index for by_id, _ in indexes for index in by_id]
        names = [index for _, by_name in indexes for index in by_name]
        if ids or names:
            lookup = {
                "ids": ids,
                "names": names,
                "origin_unit": origin_unit,
                "field": data["field"],
                "category": data["category"],
            }
            if identity.is_commune:
                lookup["unit"] = identity.unit
        earlier = None
    if ctes:  # the number is taken by the write
        if lookup is not None:
            earlier = _first_of(db_session, writes.find_earlier(db_session, lookup))
        serial = writes.serial_placeholder()
    else:
        if lookup is not None:
            earlier = find_repeat(db_session=db_session, lookup=lookup)
        serial = next_serial(db_session=db_session, unit=receiving_unit, year=on.year)

    subject = data.get("subject")
    # Levels are counted in the tree in force on the day (three tiers in 2024, two from 1 July 2025).
    over_level = domain.goes_over_level(
        declared=data["over_level"],
        receiving_level=receiving.level,
        origin_level=origin.level,
        receiving_is_ancestor=reference.is_ancestor(db_session=db_session, ancestor=receiving, code=origin),
        receiving_depth=reference.depth(db_session=db_session, unit=receiving),
        origin_depth=reference.depth(db_session=db_session, unit=origin),
    )
    visit_id = new_id()
    row = {
        "id": visit_id,
        "serial": serial,
        "receiving_unit": receiving_unit,
        "receiving_unit_id": receiving.id,
        "origin_unit_id": origin.id,
        "channel": channel,
        "receiving_officer": data["receiving_officer"] or identity.officer,
        "received_at": received_at,
        "category": data["category"],
        "field_code": data["field"],
        "origin_unit": origin_unit,
        "subject": subject,
        "content": data["content"],
        "prior_handling": data["prior_handling"],
        "citizen_request": data["citizen_request"],
        "search_text": fold(" ".join(filter(None, (subject, data["content"], data["citizen_request"])))),
        "matter_key": earlier.matter_key
        if earlier
        else domain.matter_key(origin_unit=origin_unit, field=data["field"], subject_folded=fold(subject)),
        "repeat_of": earlier.id if earlier else None,
        "repeat_count": 0,
        "group_size": group_size,
        "is_mass": domain.is_mass(group_size, threshold),
        "over_level": over_level,
        "outcome": outcome["type"],
        "competent_body": outcome["competent_body"],
        "refusal_ground": outcome["refusal_ground"],
        "created_by": identity.subject,
        "created_at": now(),
        "version": 1,
        "voided_at": None,
        "void_reason": None,
    }
    event = writes.event_row(
        "intake.visit.recorded",
        {
            "visit_id": visit_id,
            "serial": serial,
            "receiving_unit": receiving_unit,
            "origin_unit": origin_unit,
            "received_at": received_at.isoformat(),
            "category": row["category"],
            "field": row["field_code"],
            "group_size": group_size,
            "representative_count": representatives,
            "is_mass": row["is_mass"],
            "outcome": row["outcome"],
            "matter_key": row["matter_key"],
            "repeat_of": row["repeat_of"],
            "over_level": over_level,
        },
    )
    people = [
        {"visit_id": visit_id, "position": i, "is_representative": c["is_representative"], **seal}
        for i, (c, seal) in enumerate(zip(citizens, sealed))
    ]
    # The answer's citizens: masked from the values given (the stored ones decrypt to exactly these).
    shown = confidential.present_given(people=citizens, strict=row["category"] == "denunciation")
    # The rows go in with plain statements: the ORM's unit of work would add nothing here but CPU
    # time (no identity map, cascade or defaults are needed; every column is set).
    earlier_id = earlier.id if earlier is not None else None
    if ctes:
        row["serial"], repeat_count = writes.record(
            db_session,
            unit=receiving_unit,
            year=on.year,
            visit=row,
            citizens=people,
            event=event,
            placeholder=serial,
            earlier_id=earlier_id,
        )
    else:
        repeat_count = writes.store_plainly(db_session, visit=row, citizens=people, event=event, earlier_id=earlier_id)
    if earlier is not None:
        # The answer shows the first visit's count with this repeat, as the database now holds it.
        earlier = SimpleNamespace(**{**vars(earlier), "repeat_count": repeat_count})
    # The answer: the visit as stored, and the first visit of the matter on a repeat.
    return SimpleNamespace(**row, representative_count=representatives, earlier=earlier, people=shown)


def get(*, db_session: Session, identity: Identity, visit_id: str, field: str | None = None) -> Visit:
    """The visit, if the caller may see it; otherwise 404 (existence is not leaked)."""
    visit = db_session.get(Visit, visit_id) if len(visit_id) <= 36 else None
    if visit is None or (identity.is_commune and visit.receiving_unit != identity.unit):
        if field:
            raise field_error(field, "no such visit")
        raise Problem(404, "No such visit.", code="not_found")
    return visit


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
