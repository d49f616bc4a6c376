"""Where a visit's create reads earlier visits and writes its rows: :class:`VisitStore`, with one
implementation for PostgreSQL (:class:`PostgresStore`) and one for SQLite and others (:class:`PlainStore`).

The module is long because both backends' statements are built here, once per process, side by side.

A create reads the first visit of the same citizens and matter, takes the next register number and
writes three rows (the visit, its citizens, the outbox event), plus the first visit's repeat count on
a repeat. On PostgreSQL that is:

1. ``find_earlier``: the visits of citizens carrying the same blind indexes (one index lookup), and
   only when there are some, a second statement picking the first of them about the same matter;
2. ``record``: one statement, whose data-modifying CTEs take the next number (the serial counter's
   ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, its row locked until the commit), insert the
   visit numbered with it, its citizens (one as a row of VALUES, several as one JSON document through
   ``json_to_recordset``) and the outbox event with the number written into its payload; on a
   repeat the main statement is the first visit's ``repeat_count + 1 ... RETURNING``.

A statement is atomic: a create that nothing else shares a transaction with (``begin``: a request
without an Idempotency-Key) runs on a connection in autocommit, so that the write commits as it runs,
without the round trips of BEGIN and COMMIT, and the counter row is locked for that one statement
only. Inside a transaction begun before (the lookup of an Idempotency-Key, whose answer must commit
with the visit) the same statements join it. Either way the register has no gaps (a failed write
gives its number back) and no duplicates.

Each statement is built once here, compiled once per dialect and run as the driver's SQL
(``_run``), which psycopg prepares after a few runs: built per call, the same CTEs measured slower
than three plain INSERTs, and run through ``Session.execute`` they cost SQLAlchemy as much CPU as
psycopg.

On SQLite (and any other database) the same work goes as separate plain statements in the request's
transaction: the lookup in one statement, the counter (``next_serial``), then an INSERT per table.
"""

from __future__ import annotations

import functools
import json
import uuid
from types import SimpleNamespace
from typing import Protocol

from sqlalchemy import (
    String,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import OutboxEvent, outbox
from .models import SerialCounter, Visit, VisitCitizen

_visits = Visit.__table__
_citizens = VisitCitizen.__table__
_counters = SerialCounter.__table__
_outbox = OutboxEvent.__table__

# What a create needs of an earlier visit: its matter and what the answer shows of it (EarlierVisit).
EARLIER_NAMES = (
    "id",
    "serial",
    "received_at",
    "receiving_unit",
    "outcome",
    "competent_body",
    "refusal_ground",
    "repeat_count",
    "matter_key",
    "repeat_of",
)
EARLIER_COLUMNS = tuple(_visits.c[name] for name in EARLIER_NAMES)

# A create sets every column of a visit, and every column of a citizen but its serial id.
CITIZEN_NAMES = tuple(c.name for c in _citizens.c if c.name != "id")


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
        _DRIVER_SQL[key] = (
            compiled.string,
            {name: bind.value for name, bind in compiled.binds.items() if not bind.required},
        )
    sql, constants = _DRIVER_SQL[key]
    return connection.exec_driver_sql(sql, {**constants, **params})


def begin(db_session: Session) -> None:
    """Put the session's connection in autocommit when nothing has begun on the session yet, so that
    the create's one write commits as it runs; otherwise its statements join the transaction begun.
    Called before the create's first statement (PostgreSQL only)."""
    if not db_session.in_transaction():
        db_session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


# 1. The first visit of the same citizens about the same matter.

_INDEXES = ARRAY(String())  # VARCHAR[], not VARCHAR(64)[]: a cast to a length would cut, not refuse

# The visits of every citizen carrying one of the blind indexes, whatever their matter. The indexes go
# as arrays, one statement text whatever their number. Most citizens have no earlier visit, and then
# this is the whole lookup: cheaper for PostgreSQL to plan (every statement is planned anew,
# ``plan_cache_mode=force_custom_plan``) than the same statement reading the visits too.
_CANDIDATES = select(_citizens.c.visit_id).where(
    or_(
        _citizens.c.id_index == func.any(bindparam("ids", type_=_INDEXES)),
        _citizens.c.name_index == func.any(bindparam("names", type_=_INDEXES)),
    )
)


def earliest_about_matter(among, *, commune: bool):
    """The first visit (its ``EARLIER_COLUMNS``) of those ``among`` selects about one matter (binds
    ``origin_unit``, ``field``, ``category``, and ``unit`` for a commune), earliest first. Here among
    the candidates of ``find_earlier``; elsewhere than PostgreSQL (``PlainStore.earlier``) among the
    visits of the citizens found by a subquery."""
    stmt = select(*EARLIER_COLUMNS).where(
        among,
        _visits.c.origin_unit == bindparam("origin_unit"),
        _visits.c.field_code == bindparam("field"),
        _visits.c.category == bindparam("category"),
    )
    if commune:  # a commune's repeats are among its own records, as everything it reads
        stmt = stmt.where(_visits.c.receiving_unit == bindparam("unit"))
    return stmt.order_by(_visits.c.received_at, _visits.c.id).limit(1)


_EARLIEST = {
    commune: earliest_about_matter(_visits.c.id == func.any(bindparam("candidates", type_=_INDEXES)), commune=commune)
    for commune in (False, True)
}
_RECEIVED_AT = _visits.c.received_at.type  # UTCDateTime: read back in UTC


def find_earlier(db_session: Session, lookup: dict) -> SimpleNamespace | None:
    """The first visit (its ``EARLIER_NAMES``) by citizens carrying one of the blind indexes of
    ``lookup`` (``ids``, ``names``, ``origin_unit``, ``field``, ``category`` and, for a commune,
    ``unit``) about the same matter, or None (PostgreSQL only)."""
    candidates = _run(db_session, _CANDIDATES, {"ids": lookup["ids"], "names": lookup["names"]}).scalars().all()
    if not candidates:
        return None
    row = _run(db_session, _EARLIEST["unit" in lookup], {**lookup, "candidates": candidates}).first()
    if row is None:
        return None
    earlier = SimpleNamespace(**{name: getattr(row, name) for name in EARLIER_NAMES})
    earlier.received_at = _RECEIVED_AT.process_result_value(earlier.received_at, db_session.get_bind().dialect)
    return earlier


# 2. The number, the visit, its citizens and the outbox row.


def event_row(event_type: str, data: dict) -> dict:
    """The outbox row of an event, checked against its contract: what ``outbox.add`` inserts, as values
    for a statement of the caller's (the same envelope, correlation id and contract check)."""
    return outbox.row(outbox.envelope(event_type, data))


def serial_placeholder() -> str:
    """A stand-in for the register number in the visit's event until ``record`` takes the number: a
    string found nowhere else in the payload, which the statement replaces with the number."""
    return f"serial-{uuid.uuid4().hex}"


def _numbered():
    """The next number of a unit's register for a year (binds ``counter_unit``, ``counter_year``) as
    the register writes it, ``serial_prefix`` (``<unit>/<year>/``) and six digits at least, as
    ``register_number`` does."""
    counter = pg_insert(_counters).values(unit=bindparam("counter_unit"), year=bindparam("counter_year"), last=1)
    counter = counter.on_conflict_do_update(
        index_elements=[_counters.c.unit, _counters.c.year], set_={"last": _counters.c.last + 1}
    ).returning(_counters.c.last)
    counter = counter.cte("counter")
    digits = cast(counter.c.last, Text)
    serial = bindparam("serial_prefix", type_=Text) + func.lpad(digits, func.greatest(6, func.length(digits)), "0")
    return select(serial.label("serial")).cte("numbered")


def _record_statements() -> dict:
    """The statements of ``record``, by (one citizen?, a repeat?)."""
    numbered = _numbered()
    serial = select(numbered.c.serial).scalar_subquery()
    visit = (
        insert(_visits)
        .values({c: serial if c.name == "serial" else bindparam(f"v_{c.name}", type_=c.type) for c in _visits.c})
        .cte("new_visit")
    )
    # One citizen (most visits): a row of VALUES, cheaper for PostgreSQL to plan than a JSON document.
    one = (
        insert(_citizens)
        .values({_citizens.c[name]: bindparam(f"c_{name}", type_=_citizens.c[name].type) for name in CITIZEN_NAMES})
        .cte("new_citizens")
    )
    people = (
        func.json_to_recordset(cast(bindparam("citizens", type_=Text), JSON))
        .table_valued(*(_citizens.c[name] for name in CITIZEN_NAMES))
        .render_derived(with_types=True)
    )
    many = insert(_citizens).from_select(list(CITIZEN_NAMES), select(*people.c)).cte("new_citizens")
    event = (
        insert(_outbox)
        .values(
            {
                _outbox.c.event_id: bindparam("event_id", type_=_outbox.c.event_id.type),
                _outbox.c.event_type: bindparam("event_type", type_=_outbox.c.event_type.type),
                _outbox.c.payload: func.replace(
                    bindparam("payload", type_=Text), bindparam("placeholder", type_=Text), serial
                ),
                _outbox.c.created_at: bindparam("event_created_at", type_=_outbox.c.created_at.type),
                _outbox.c.attempts: literal(0),  # a Python-side default, which a CTE's INSERT would leave NULL
            }
        )
        .cte("new_event")
    )
    out = {}
    for single, citizens in ((True, one), (False, many)):
        out[single, False] = select(numbered.c.serial, null().label("repeat_count")).add_cte(visit, citizens, event)
        out[single, True] = (
            update(_visits)
            .where(_visits.c.id == bindparam("earlier_id"))
            .values(repeat_count=_visits.c.repeat_count + 1)
            .returning(serial.label("serial"), _visits.c.repeat_count)
            .add_cte(visit, citizens, event)
        )
    return out


_RECORD = _record_statements()


def record(
    db_session: Session,
    *,
    unit: str,
    year: int,
    visit: dict,
    citizens: list[dict],
    event: dict,
    placeholder: str,
    earlier_id: str | None,
) -> tuple[str, int | None]:
    """Number and write the visit, its citizens and its outbox row in one statement (PostgreSQL only):
    the visit's serial and its event's ``placeholder`` become the next number of ``unit``'s register
    for ``year``. The serial and, on a repeat, the first visit's count with this repeat."""
    # A bind may not bear a column's name; the serial is the statement's own.
    params = {f"v_{name}": value for name, value in visit.items() if name != "serial"}
    single = len(citizens) == 1
    if single:
        params.update({f"c_{name}": value for name, value in citizens[0].items()})
    else:
        # The database converts the JSON values to the columns' types (text, integer, boolean: no
        # TypeDecorator among a citizen's columns needs Python's bind step).
        params["citizens"] = json.dumps(citizens)
    params.update(
        counter_unit=unit,
        counter_year=year,
        serial_prefix=register_prefix(unit, year),
        event_id=event["event_id"],
        event_type=event["event_type"],
        payload=event["payload"],
        placeholder=placeholder,
        event_created_at=event["created_at"],
    )
    if earlier_id is not None:
        params["earlier_id"] = earlier_id
    serial, count = _run(db_session, _RECORD[single, earlier_id is not None], params).one()
    return serial, count  # count is None for a first visit


def register_prefix(unit: str, year: int) -> str:
    """What a register number of ``unit`` for ``year`` starts with: ``31684/2026/``."""
    return f"{unit}/{year}/"


def register_number(unit: str, year: int, number: int) -> str:
    """A register number as written: ``31684/2026/000012`` (six digits at least, as ``record`` writes it)."""
    return f"{register_prefix(unit, year)}{number:06d}"


# SQLite and others: the same rows, a statement each.


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


def next_serial(*, db_session: Session, unit: str, year: int, counter_model=SerialCounter) -> str:
    """The next register number of ``unit`` for ``year`` (e.g. ``31684/2026/000012``) in the session's
    transaction, a statement of its own (petitions number themselves this way on every database).

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


def _repeat_query(*, commune: bool):
    """The first visit by citizens carrying one of the blind indexes, about one matter, in one statement."""
    matches = select(_citizens.c.visit_id).where(
        or_(
            _citizens.c.id_index.in_(bindparam("ids", expanding=True)),
            _citizens.c.name_index.in_(bindparam("names", expanding=True)),
        )
    )
    return earliest_about_matter(_visits.c.id.in_(matches), commune=commune)


_REPEAT_QUERIES = {commune: _repeat_query(commune=commune) for commune in (False, True)}
_EARLIER_BY_ID = select(*EARLIER_COLUMNS).where(_visits.c.id == bindparam("visit_id"))

_INSERT_VISIT = insert(_visits)
_INSERT_CITIZEN = insert(_citizens)
_INSERT_EVENT = insert(_outbox)
_COUNT_REPEAT = (
    update(_visits)
    .where(_visits.c.id == bindparam("visit_id"))
    .values(repeat_count=_visits.c.repeat_count + 1)
    .returning(_visits.c.repeat_count)
)


def store_plainly(
    db_session: Session, *, visit: dict, citizens: list[dict], event: dict, earlier_id: str | None
) -> int | None:
    """``store`` as plain statements, one per table."""
    db_session.execute(_INSERT_VISIT, visit)
    db_session.execute(_INSERT_CITIZEN, citizens)
    count = None
    if earlier_id is not None:
        count = db_session.execute(_COUNT_REPEAT, {"visit_id": earlier_id}).scalar_one()
    db_session.execute(_INSERT_EVENT, event)
    return count


# What a create sees of the database: one interface, one implementation per backend.


def earlier_by_id(db_session: Session, visit_id: str) -> SimpleNamespace | None:
    """A visit's ``EARLIER_NAMES``, or None."""
    row = db_session.execute(_EARLIER_BY_ID, {"visit_id": visit_id}).first()
    return SimpleNamespace(**row._mapping) if row is not None else None


def _first_of(db_session: Session, found: SimpleNamespace | None) -> SimpleNamespace | None:
    """The first visit of the matter of ``found`` (itself unless it is a repeat)."""
    if found is not None and found.repeat_of:
        return earlier_by_id(db_session, found.repeat_of) or found
    return found


class VisitStore(Protocol):
    """Where a create reads earlier visits and writes its rows (``store_for`` picks the implementation)."""

    def earlier(self, lookup: dict) -> SimpleNamespace | None:
        """The first visit of the matter (``EARLIER_NAMES``) by citizens carrying one of the blind indexes of
        ``lookup`` (``ids``, ``names``, ``origin_unit``, ``field``, ``category``, ``unit`` for a commune)."""
        ...

    def earlier_by_id(self, visit_id: str) -> SimpleNamespace | None:
        """A visit's ``EARLIER_NAMES``, or None."""
        ...

    def number(self, unit: str, year: int) -> str:
        """The register number the event is built with: the number itself, or a stand-in ``write`` replaces."""
        ...

    def write(
        self, *, unit: str, year: int, visit: dict, citizens: list[dict], event: dict, earlier_id: str | None
    ) -> tuple[str, int | None]:
        """Write the visit, its citizens and its outbox row (and count the repeat on ``earlier_id``): the
        visit's register number and, on a repeat, the first visit's count with this one."""
        ...


class PostgresStore:
    """Two statements (``find_earlier``, ``record``), in autocommit unless the session has begun."""

    def __init__(self, db_session: Session) -> None:
        self.db_session = db_session
        begin(db_session)  # before the create's first statement, the reference version's included

    def earlier(self, lookup: dict) -> SimpleNamespace | None:
        return _first_of(self.db_session, find_earlier(self.db_session, lookup))

    def earlier_by_id(self, visit_id: str) -> SimpleNamespace | None:
        return earlier_by_id(self.db_session, visit_id)

    def number(self, unit: str, year: int) -> str:
        return serial_placeholder()  # the number is taken by the write

    def write(
        self, *, unit: str, year: int, visit: dict, citizens: list[dict], event: dict, earlier_id: str | None
    ) -> tuple[str, int | None]:
        return record(
            self.db_session,
            unit=unit,
            year=year,
            visit=visit,
            citizens=citizens,
            event=event,
            placeholder=visit["serial"],
            earlier_id=earlier_id,
        )


class PlainStore:
    """A statement per step in the request's transaction (SQLite and any other database)."""

    def __init__(self, db_session: Session) -> None:
        self.db_session = db_session

    def earlier(self, lookup: dict) -> SimpleNamespace | None:
        found = self.db_session.execute(_REPEAT_QUERIES["unit" in lookup], lookup).first()
        return _first_of(self.db_session, SimpleNamespace(**found._mapping)) if found is not None else None

    def earlier_by_id(self, visit_id: str) -> SimpleNamespace | None:
        return earlier_by_id(self.db_session, visit_id)

    def number(self, unit: str, year: int) -> str:
        return next_serial(db_session=self.db_session, unit=unit, year=year)

    def write(
        self, *, unit: str, year: int, visit: dict, citizens: list[dict], event: dict, earlier_id: str | None
    ) -> tuple[str, int | None]:
        return visit["serial"], store_plainly(
            self.db_session, visit=visit, citizens=citizens, event=event, earlier_id=earlier_id
        )


def store_for(db_session: Session) -> VisitStore:
    """The store of the session's database; on PostgreSQL this begins the create (see ``begin``)."""
    if db_session.get_bind().dialect.name == "postgresql":
        return PostgresStore(db_session)
    return PlainStore(db_session)
