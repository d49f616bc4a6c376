"""The statements of a visit's create, built once per process.

A create reads two things under the rules (the first visit of the same citizens and matter, and the
next register number) and writes three rows (the visit, its citizens, the outbox event), plus the
first visit's repeat count on a repeat. On PostgreSQL that is two statements for citizens who have not
visited before, and one more when they have:

1. ``allocate``: the serial counter's ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in a CTE
   beside the visits of the same citizens (by blind index). The counter row's lock is held to the end
   of the transaction, as ``service.next_serial``'s UPDATE holds it: numbers have no gaps (a
   rolled-back create gives its number back) and no duplicates. Only when those citizens have visited
   before does a second statement pick the first of their visits about the same matter;
2. ``store``: the visit, its citizens (one as a row of VALUES, several as one JSON document through
   ``json_to_recordset``) and the outbox row as data-modifying CTEs of one statement; on a repeat its
   main statement is the first visit's ``repeat_count + 1 ... RETURNING``.

Each statement is built once here, compiled once per dialect and run as the driver's SQL
(``_run``), which psycopg prepares after a few runs: built per call, the same CTEs measured slower
than three plain INSERTs, and run through ``Session.execute`` they cost SQLAlchemy as much CPU as
psycopg.

On SQLite (and any other database) the same work goes as separate plain statements
(``service.find_repeat``, ``service.next_serial``, one INSERT per table).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from sqlalchemy import (
    String,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..database import OutboxEvent, outbox
from .models import SerialCounter, Visit, VisitCitizen

_visits = Visit.__table__
_citizens = VisitCitizen.__table__
_counters = SerialCounter.__table__
_outbox = OutboxEvent.__table__

# What a create needs of an earlier visit: its matter and what the answer shows of it (EarlierVisit).
EARLIER_NAMES = ("id", "serial", "received_at", "receiving_unit", "outcome", "competent_body", "refusal_ground",
                 "repeat_count", "matter_key", "repeat_of")
EARLIER_COLUMNS = tuple(_visits.c[name] for name in EARLIER_NAMES)

# A create sets every column of a visit, and every column of a citizen but its serial id.
CITIZEN_NAMES = tuple(c.name for c in _citizens.c if c.name != "id")


def uses_ctes(db_session: Session) -> bool:
    """True when the create's two-statement form applies (PostgreSQL)."""
    return db_session.get_bind().dialect.name == "postgresql"


_DRIVER_SQL: dict = {}  # (statement, dialect, driver) -> (SQL text, values of the statement's own binds)


def _run(db_session: Session, statement, params: dict):
    """Run one of this module's statements as the driver's SQL, compiled once per dialect
    (``Connection.exec_driver_sql``).

    Through ``Session.execute`` a compiled statement's run still costs SQLAlchemy about 0.15 ms of CPU
    for the store's 37 parameters and 0.06 ms for the allocation (the execution context, each bind's
    and result column's processing), as much as psycopg's own work. The values here are plain ``str``,
    ``int``, ``bool``, lists of ``str`` and timezone-aware ``datetime`` (the schema's AwareDateTime,
    ``utcnow``), which psycopg sends as they are; the one column read back that has a Python-side
    type, an earlier visit's ``received_at``, is converted by ``allocate``. Events and errors go
    through SQLAlchemy as for any statement.
    """
    connection = db_session.connection()
    dialect = connection.dialect
    key = (id(statement), dialect.name, dialect.driver)
    if key not in _DRIVER_SQL:
        compiled = statement.compile(dialect=dialect)
        _DRIVER_SQL[key] = compiled.string, {name: bind.value for name, bind in compiled.binds.items()
                                             if not bind.required}
    sql, constants = _DRIVER_SQL[key]
    return connection.exec_driver_sql(sql, {**constants, **params})


# 1. The serial number and the repeat lookup.

def _counter_cte():
    """INSERT INTO serial_counters ... VALUES (unit, year, 1) ON CONFLICT DO UPDATE SET last = last + 1
    RETURNING last: the next number, with the counter row locked, whether or not the row existed."""
    stmt = pg_insert(_counters).values(unit=bindparam("counter_unit"), year=bindparam("counter_year"), last=1)
    stmt = stmt.on_conflict_do_update(index_elements=[_counters.c.unit, _counters.c.year],
                                      set_={"last": _counters.c.last + 1})
    return stmt.returning(_counters.c.last).cte("counter")


def _candidates():
    """The visits of every citizen carrying one of the blind indexes, whatever their matter, as an array:
    ``ARRAY(SELECT visit_id FROM visit_citizens WHERE id_index = ANY(:ids) OR name_index = ANY(:names))``.

    The indexes go as arrays, one statement text whatever their number. Most citizens have no earlier
    visit, and then this is the whole lookup: PostgreSQL plans it beside the counter in about 0.05 ms
    (every statement is planned anew, ``plan_cache_mode=force_custom_plan``), against 0.13 ms for the
    same statement reading the visits too (their eight indexes and the earliest-first order to weigh).
    """
    indexes = ARRAY(String())  # VARCHAR[], not VARCHAR(64)[]: a cast to a length would cut, not refuse
    return func.array(select(_citizens.c.visit_id).where(or_(
        _citizens.c.id_index == func.any(bindparam("ids", type_=indexes)),
        _citizens.c.name_index == func.any(bindparam("names", type_=indexes)),
    )).scalar_subquery())


def earliest_about_matter(among, *, commune: bool):
    """The first visit (its ``EARLIER_COLUMNS``) of those ``among`` selects about one matter (binds
    ``origin_unit``, ``field``, ``category``, and ``unit`` for a commune), earliest first. Here among
    the candidates of ``allocate``; elsewhere than PostgreSQL (``service.find_repeat``) among the visits
    of the citizens found by a subquery."""
    stmt = select(*EARLIER_COLUMNS).where(
        among, _visits.c.origin_unit == bindparam("origin_unit"),
        _visits.c.field_code == bindparam("field"), _visits.c.category == bindparam("category"),
    )
    if commune:  # a commune's repeats are among its own records, as everything it reads
        stmt = stmt.where(_visits.c.receiving_unit == bindparam("unit"))
    return stmt.order_by(_visits.c.received_at, _visits.c.id).limit(1)


def _earliest(*, commune: bool):
    """The first of the candidate visits about one matter (by their primary key)."""
    return earliest_about_matter(_visits.c.id == func.any(bindparam("candidates", type_=ARRAY(String()))),
                                 commune=commune)


_COUNTER = _counter_cte()
_ALLOCATE = {False: select(_COUNTER.c.last),  # no lookup (no blind index, or the desk named the visit)
             True: select(_COUNTER.c.last, _candidates().label("candidates"))}
_EARLIEST = {commune: _earliest(commune=commune) for commune in (False, True)}
_RECEIVED_AT = _visits.c.received_at.type  # UTCDateTime: read back in UTC


def allocate(db_session: Session, *, unit: str, year: int, lookup: dict | None) -> tuple[int, SimpleNamespace | None]:
    """The next number of ``unit``'s register for ``year`` and, when ``lookup`` is given (``ids``,
    ``names``, ``origin_unit``, ``field``, ``category`` and, for a commune, ``unit``), the first visit
    it finds (its ``EARLIER_NAMES``) (PostgreSQL only).

    One statement: the counter and the visits of the same citizens. A second one only when those
    citizens have visited before: the first of those visits about the same matter.
    """
    params = {"counter_unit": unit, "counter_year": year}
    if lookup is None:
        return _run(db_session, _ALLOCATE[False], params).scalar_one(), None
    number, candidates = _run(db_session, _ALLOCATE[True], {**params, "ids": lookup["ids"],
                                                            "names": lookup["names"]}).one()
    if not candidates:
        return number, None
    row = _run(db_session, _EARLIEST["unit" in lookup], {**lookup, "candidates": candidates}).first()
    if row is None:
        return number, None
    earlier = SimpleNamespace(**{name: getattr(row, name) for name in EARLIER_NAMES})
    earlier.received_at = _RECEIVED_AT.process_result_value(earlier.received_at, db_session.get_bind().dialect)
    return number, earlier


# 2. The visit, its citizens and the outbox row.

def event_row(event_type: str, data: dict) -> dict:
    """The outbox row of an event, checked against its contract: what ``outbox.add`` inserts, as values
    for a statement of the caller's (the same envelope, correlation id and contract check)."""
    return outbox.row(outbox.envelope(event_type, data))


def _store_statements() -> dict:
    """The statements of ``store``, by (one citizen?, a repeat?)."""
    visit = insert(_visits).values({c: bindparam(f"v_{c.name}", type_=c.type) for c in _visits.c}).cte("new_visit")
    # One citizen (most visits): a row of VALUES, cheaper for PostgreSQL to plan than a JSON document.
    one = insert(_citizens).values({_citizens.c[name]: bindparam(f"c_{name}", type_=_citizens.c[name].type)
                                    for name in CITIZEN_NAMES}).cte("new_citizens")
    people = (func.json_to_recordset(cast(bindparam("citizens", type_=Text), JSON))
              .table_valued(*(_citizens.c[name] for name in CITIZEN_NAMES)).render_derived(with_types=True))
    many = insert(_citizens).from_select(list(CITIZEN_NAMES), select(*people.c)).cte("new_citizens")
    event_values = {
        _outbox.c.event_id: bindparam("event_id", type_=_outbox.c.event_id.type),
        _outbox.c.event_type: bindparam("event_type", type_=_outbox.c.event_type.type),
        _outbox.c.payload: bindparam("payload", type_=_outbox.c.payload.type),
        _outbox.c.created_at: bindparam("event_created_at", type_=_outbox.c.created_at.type),
        _outbox.c.attempts: literal(0),  # a Python-side default, which a CTE's INSERT would leave NULL
    }
    out = {}
    for single, citizens in ((True, one), (False, many)):
        out[single, False] = insert(_outbox).values(event_values).add_cte(visit, citizens)
        event = insert(_outbox).values(event_values).cte("new_event")
        out[single, True] = (update(_visits).where(_visits.c.id == bindparam("earlier_id"))
                             .values(repeat_count=_visits.c.repeat_count + 1).returning(_visits.c.repeat_count)
                             .add_cte(visit, citizens, event))
    return out


_STORE = _store_statements()


def store(db_session: Session, *, visit: dict, citizens: list[dict], event: dict, earlier_id: str | None) -> int | None:
    """Write the visit, its citizens and the outbox row in one statement (PostgreSQL only); on a repeat,
    add one to the first visit's count and return it."""
    params = {f"v_{name}": value for name, value in visit.items()}  # a bind may not bear a column's name
    single = len(citizens) == 1
    if single:
        params.update({f"c_{name}": value for name, value in citizens[0].items()})
    else:
        # The database converts the JSON values to the columns' types (text, integer, boolean: no
        # TypeDecorator among a citizen's columns needs Python's bind step).
        params["citizens"] = json.dumps(citizens)
    params.update(event_id=event["event_id"], event_type=event["event_type"], payload=event["payload"],
                  event_created_at=event["created_at"])
    if earlier_id is None:
        _run(db_session, _STORE[single, False], params)
        return None
    params["earlier_id"] = earlier_id
    return _run(db_session, _STORE[single, True], params).scalar_one()


# SQLite and others: the same rows, a statement each.

_INSERT_VISIT = insert(_visits)
_INSERT_CITIZEN = insert(_citizens)
_INSERT_EVENT = insert(_outbox)
_COUNT_REPEAT = (update(_visits).where(_visits.c.id == bindparam("visit_id"))
                 .values(repeat_count=_visits.c.repeat_count + 1).returning(_visits.c.repeat_count))


def store_plainly(db_session: Session, *, visit: dict, citizens: list[dict], event: dict,
                  earlier_id: str | None) -> int | None:
    """``store`` as plain statements, one per table."""
    db_session.execute(_INSERT_VISIT, visit)
    db_session.execute(_INSERT_CITIZEN, citizens)
    count = None
    if earlier_id is not None:
        count = db_session.execute(_COUNT_REPEAT, {"visit_id": earlier_id}).scalar_one()
    db_session.execute(_INSERT_EVENT, event)
    return count
