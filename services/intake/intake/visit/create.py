"""Recording a visit, in the desk's order: parse the request, check it against the rules of its day (one
reference snapshot), seal the citizens' identity, find their earlier visits about the matter, write.

What differs between databases is behind ``writes.VisitStore``. Nothing that can fail comes after the
write: every check (units and rules of the day, the caller's scope, the event's contract) runs before it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import SimpleNamespace

from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from ..confidential import service as confidential
from ..reference import service as reference
from ..text import fold
from . import domain, finder, rules_of_day, writes
from .models import new_id
from .service import check_received_at, scope_unit


@dataclasses.dataclass(frozen=True)
class Parsed:
    """The request as the desk means it: defaults filled in, the day in Viet Nam, the caller's desk."""

    received_at: dt.datetime
    on: dt.date
    receiving_unit: str
    origin_unit: str
    field: str
    category: str
    channel: str
    citizens: list[dict]
    group_size: int
    representatives: int
    outcome: dict
    over_level: bool | None
    repeat_of: str | None


@dataclasses.dataclass(frozen=True)
class Sealed:
    """The citizens' rows as stored (encrypted, with their search indexes) and the blind indexes of a repeat."""

    rows: list[dict]
    ids: list[str]
    names: list[str]


def create(*, db_session: Session, identity: Identity, data: dict) -> SimpleNamespace:
    """Record a visit and stage ``intake.visit.recorded`` in the same transaction; the visit as answered."""
    store = writes.store_for(db_session)
    visit = parse(identity, data)
    day = reference.against_snapshot(db_session, lambda snap, final: rules_of_day.check_visit(snap, visit, final=final))
    earlier_named = named_earlier(store, identity, visit.repeat_of)
    # Encryption and blind indexes before the serial counter's row lock is taken: the lock is held
    # from the number to the commit, and nothing in between waits on work that could come first.
    sealed = seal(visit.citizens)
    earlier = earlier_named if visit.repeat_of else find_earlier(store, identity, visit, sealed)
    return write(store, identity, data, visit, day, sealed, earlier)


def parse(identity: Identity, data: dict) -> Parsed:
    """The request's values with their defaults: now, the caller's desk, in person, the listed citizens."""
    received_at = check_received_at(data["received_at"])
    receiving_unit = scope_unit(identity, data["receiving_unit"])
    citizens = data["citizens"]
    return Parsed(
        received_at=received_at,
        on=local_date(received_at),  # the day at the desk, in Viet Nam
        receiving_unit=receiving_unit,
        origin_unit=data["origin_unit"] or receiving_unit,
        field=data["field"],
        category=data["category"],
        channel=data.get("channel") or "in_person",
        citizens=citizens,
        group_size=data["group_size"] or len(citizens),
        representatives=sum(1 for c in citizens if c["is_representative"]),
        outcome=data["outcome"],
        over_level=data["over_level"],
        repeat_of=data.get("repeat_of") or None,
    )


def named_earlier(store: writes.VisitStore, identity: Identity, visit_id: str | None) -> SimpleNamespace | None:
    """The first visit of the matter of the visit the desk named as repeated; it must be one the caller sees."""
    if not visit_id:
        return None
    given = store.earlier_by_id(visit_id)
    if given is None or (identity.is_commune and given.receiving_unit != identity.unit):
        raise field_error("repeat_of", "no such visit")
    return store.earlier_by_id(given.repeat_of) if given.repeat_of else given


def seal(citizens: list[dict]) -> Sealed:
    """The citizens encrypted, with the blind indexes a repeat would carry and the finder's search indexes."""
    cipher = confidential.current_cipher()
    indexes = [confidential.lookup_indexes(c, cipher=cipher) for c in citizens]
    rows = [
        {**confidential.seal(c, cipher=cipher, indexes=found), **finder.search_indexes(c, cipher=cipher)}
        for c, found in zip(citizens, indexes)
    ]
    return Sealed(
        rows=rows,
        ids=[index for by_id, _ in indexes for index in by_id],
        names=[index for _, by_name in indexes for index in by_name],
    )


def find_earlier(store: writes.VisitStore, identity: Identity, visit: Parsed, sealed: Sealed) -> SimpleNamespace | None:
    """The first visit of the same citizens about the same matter (origin unit, field, category), or None."""
    if not (sealed.ids or sealed.names):
        return None
    lookup = {
        "ids": sealed.ids,
        "names": sealed.names,
        "origin_unit": visit.origin_unit,
        "field": visit.field,
        "category": visit.category,
    }
    if identity.is_commune:  # a commune's repeats are among its own records
        lookup["unit"] = identity.unit
    return store.earlier(lookup)


def write(
    store: writes.VisitStore,
    identity: Identity,
    data: dict,
    visit: Parsed,
    day: rules_of_day.DayCheck,
    sealed: Sealed,
    earlier: SimpleNamespace | None,
) -> SimpleNamespace:
    """The visit's row, its citizens and its event, written by ``store``; the visit as answered."""
    serial = store.number(visit.receiving_unit, visit.on.year)
    subject = data.get("subject")
    outcome = visit.outcome
    visit_id = new_id()
    row = {
        "id": visit_id,
        "serial": serial,
        "receiving_unit": visit.receiving_unit,
        "receiving_unit_id": day.receiving.id,
        "origin_unit_id": day.origin.id,
        "channel": visit.channel,
        "receiving_officer": data["receiving_officer"] or identity.officer,
        "received_at": visit.received_at,
        "category": visit.category,
        "field_code": visit.field,
        "origin_unit": visit.origin_unit,
        "subject": subject,
        "content": data["content"],
        "prior_handling": data["prior_handling"],
        "citizen_request": data["citizen_request"],
        "search_text": fold(" ".join(filter(None, (subject, data["content"], data["citizen_request"])))),
        "matter_key": earlier.matter_key
        if earlier
        else domain.matter_key(origin_unit=visit.origin_unit, field=visit.field, subject_folded=fold(subject)),
        "repeat_of": earlier.id if earlier else None,
        "repeat_count": 0,
        "group_size": visit.group_size,
        "is_mass": day.is_mass,
        "over_level": day.over_level,
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
            "receiving_unit": visit.receiving_unit,
            "origin_unit": visit.origin_unit,
            "received_at": visit.received_at.isoformat(),
            "category": visit.category,
            "field": visit.field,
            "group_size": visit.group_size,
            "representative_count": visit.representatives,
            "is_mass": day.is_mass,
            "outcome": outcome["type"],
            "matter_key": row["matter_key"],
            "repeat_of": row["repeat_of"],
            "over_level": day.over_level,
        },
    )
    people = [
        {"visit_id": visit_id, "position": i, "is_representative": c["is_representative"], **seal}
        for i, (c, seal) in enumerate(zip(visit.citizens, sealed.rows))
    ]
    # The answer's citizens: masked from the values given (the stored ones decrypt to exactly these).
    shown = confidential.present_given(people=visit.citizens, strict=visit.category == "denunciation")
    # The rows go in with plain statements: the ORM's unit of work would add nothing here but CPU
    # time (no identity map, cascade or defaults are needed; every column is set).
    row["serial"], repeat_count = store.write(
        unit=visit.receiving_unit,
        year=visit.on.year,
        visit=row,
        citizens=people,
        event=event,
        earlier_id=earlier.id if earlier is not None else None,
    )
    if earlier is not None:
        # The answer shows the first visit's count with this repeat, as the database now holds it.
        earlier = SimpleNamespace(**{**vars(earlier), "repeat_count": repeat_count})
    return SimpleNamespace(**row, representative_count=visit.representatives, earlier=earlier, people=shown)
