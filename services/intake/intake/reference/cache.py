"""An in-process copy of the reference tables, reloaded when their version row moves.

Long because the snapshot and the cache that keeps it fresh are one mechanism, read together.

Units, fields, legal rules and holidays change only through the seed command, a
migration or an administrator, and every such change bumps
``reference_version.version`` in its own transaction (triggers of migration
0005, so a change typed at the SQL prompt counts too). Each API process keeps
one immutable snapshot of the four tables and:

- reads the version row at most once per ``max_age`` seconds
  (``INTAKE_REFERENCE_MAX_AGE_SECONDS``, default 1; 0 reads it for every
  request, as ``reference.service.snapshot`` takes one snapshot per request)
  and reloads the snapshot when the number has moved: a change committed by
  another process is in force here within ``max_age``, exactly as if it had
  been committed that much later;
- reads the version again at once before it answers that a unit or field code
  is unknown or that no legal rule is in force, so something just added is
  never refused;
- is emptied by the seed command run in its own process.

Snapshots are replaced whole (one attribute assignment) and never modified
(rule values are frozen), so the threads of a gthread worker share them without
locks.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.calendar import Calendar, DayEntry
from tiepdan_common.clock import today

from .models import CalendarYear, Field, Holiday, LegalRule, ReferenceVersion, Unit, UnitSuccession


@dataclasses.dataclass(frozen=True)
class UnitRef:
    """One version of an administrative unit as the reference table holds it (``id`` is the version's)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    id: int | None = None
    parent_id: int | None = None
    valid_from: dt.date = dt.date.min
    valid_to: dt.date | None = None  # the last day in force, None while in force
    confirmed: bool = True
    source: str = ""  # the legal act or register the version comes from
    note: str | None = None

    def in_force(self, day: dt.date) -> bool:
        """True when this version is in force on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Stale(LookupError):
    """A snapshot lacks a unit, field or rule that a fresher one may hold (``service.against_snapshot``)."""


@dataclasses.dataclass(frozen=True)
class FieldRef:
    """A field of petitions and the department responsible for it."""

    code: str
    name_vi: str
    name_en: str
    agency_code: str


NOT_IN_FORCE = object()  # what Snapshot.rule answers when no row of the rule is in force on the day


def freeze(value):
    """A read-only copy of a JSON value (objects become read-only mappings, arrays tuples)."""
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The reference tables at one version."""

    version: int | None
    units: Mapping[str, UnitRef]  # per code, its newest version (what a code meant last)
    fields: Mapping[str, FieldRef]
    rules: Mapping[str, tuple[tuple[dt.date, object], ...]]  # per key, newest effective date first
    holiday_dates: tuple[dt.date, ...]  # sorted
    versions: Mapping[str, tuple[UnitRef, ...]] = dataclasses.field(default_factory=dict)  # per code, oldest first
    by_id: Mapping[int, UnitRef] = dataclasses.field(default_factory=dict)
    predecessors: Mapping[int, tuple[int, ...]] = dataclasses.field(
        default_factory=dict
    )  # unit id -> the ids it succeeded
    working_days: tuple[dt.date, ...] = ()  # make-up working days (a Saturday worked for a bridge day off)
    years: tuple[int, ...] = ()  # the calendar's years (calendar_years); empty: those its days fall in
    _calendar: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, db_session: Session, version: int | None) -> Snapshot:
        """Read the tables (``version`` is the number read before them; see ReferenceCache)."""
        rows = list(
            db_session.execute(
                select(
                    Unit.id,
                    Unit.code,
                    Unit.name,
                    Unit.level,
                    Unit.parent_id,
                    Unit.valid_from,
                    Unit.valid_to,
                    Unit.confirmed,
                    Unit.source,
                    Unit.note,
                ).order_by(Unit.code, Unit.valid_from)
            )
        )
        code_of = {r.id: r.code for r in rows}
        by_id = {
            r.id: UnitRef(
                r.code,
                r.name,
                r.level,
                code_of.get(r.parent_id),
                r.id,
                r.parent_id,
                r.valid_from,
                r.valid_to,
                bool(r.confirmed),
                r.source or "",
                r.note,
            )
            for r in rows
        }
        versions: dict[str, list[UnitRef]] = {}
        for r in rows:
            versions.setdefault(r.code, []).append(by_id[r.id])
        predecessors: dict[int, list[int]] = {}
        for before, after in db_session.execute(select(UnitSuccession.predecessor_id, UnitSuccession.successor_id)):
            predecessors.setdefault(after, []).append(before)
        fields = {
            r.code: FieldRef(r.code, r.name_vi, r.name_en, r.agency_code)
            for r in db_session.execute(select(Field.code, Field.name_vi, Field.name_en, Field.agency_code))
        }
        rules: dict[str, list] = {}
        for r in db_session.execute(
            select(LegalRule.key, LegalRule.effective_from, LegalRule.value).order_by(
                LegalRule.key, LegalRule.effective_from.desc()
            )
        ):
            rules.setdefault(r.key, []).append((r.effective_from, freeze(r.value)))
        holidays, working = [], []
        for day, kind in db_session.execute(select(Holiday.date, Holiday.kind).order_by(Holiday.date)):
            (working if kind == "working_day" else holidays).append(day)
        years = tuple(db_session.scalars(select(CalendarYear.year).order_by(CalendarYear.year)))
        return cls(
            version=version,
            units=MappingProxyType({code: found[-1] for code, found in versions.items()}),
            fields=MappingProxyType(fields),
            rules=MappingProxyType({k: tuple(v) for k, v in rules.items()}),
            holiday_dates=tuple(holidays),
            years=years,
            versions=MappingProxyType({code: tuple(found) for code, found in versions.items()}),
            by_id=MappingProxyType(by_id),
            predecessors=MappingProxyType({k: tuple(v) for k, v in predecessors.items()}),
            working_days=tuple(working),
        )

    def unit(self, code: str) -> UnitRef | None:
        """The newest version of unit ``code`` (whatever its dates)."""
        return self.units.get(code)

    def unit_on(self, code: str, day: dt.date) -> UnitRef | None:
        """The version of unit ``code`` in force on ``day``, or None."""
        for found in self.versions.get(code) or ((self.units[code],) if code in self.units else ()):
            if found.in_force(day):
                return found
        return None

    def field(self, code: str) -> FieldRef | None:
        return self.fields.get(code)

    def rule(self, key: str, on: dt.date):
        """The value of rule ``key`` in force on ``on`` (read-only), or ``NOT_IN_FORCE``."""
        for effective_from, value in self.rules.get(key, ()):
            if effective_from <= on:
                return value
        return NOT_IN_FORCE

    def holidays(self, start: dt.date, end: dt.date) -> set[dt.date]:
        """Holidays between ``start`` and ``end`` inclusive."""
        dates = self.holiday_dates
        return set(dates[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)])

    def make_up_days(self, start: dt.date, end: dt.date) -> set[dt.date]:
        """Make-up working days (ngày làm bù) between ``start`` and ``end`` inclusive."""
        dates = self.working_days
        return set(dates[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)])

    @property
    def calendar(self) -> Calendar:
        """The working-day calendar of these holidays and make-up days (tiepdan_common.calendar), covering
        the years they fall in; a date outside them raises CalendarRangeError."""
        found = self._calendar.get("calendar")
        if found is None:
            days = (*self.holiday_dates, *self.working_days)
            years = list(self.years) or [d.year for d in days] or [today().year]
            found = Calendar(
                first_year=min(years),
                last_year=max(years),
                holidays=tuple(DayEntry(d, "") for d in self.holiday_dates),
                makeup_working_days=tuple(DayEntry(d, "") for d in self.working_days),
            )
            self._calendar["calendar"] = found  # built once per snapshot; a race builds it twice, harmlessly
        return found

    def _parent(self, unit: UnitRef) -> UnitRef | None:
        if unit.parent_id is not None:
            return self.by_id.get(unit.parent_id)
        return self.units.get(unit.parent_code) if unit.parent_code else None

    def depth(self, unit: UnitRef) -> int:
        """How many units are above ``unit`` in its tree (0 for a province): levels are the tree's, not names."""
        depth, seen, parent = 0, {unit.code}, self._parent(unit)
        while parent is not None and parent.code not in seen:
            seen.add(parent.code)
            depth += 1
            parent = self._parent(parent)
        return depth

    def is_ancestor(self, ancestor: str | UnitRef, code: str | UnitRef) -> bool:
        """True when unit ``ancestor`` is above unit ``code`` in the administrative tree."""
        unit = code if isinstance(code, UnitRef) else self.units.get(code)
        target = ancestor.code if isinstance(ancestor, UnitRef) else ancestor
        seen = set()
        while unit is not None and unit.code not in seen:
            seen.add(unit.code)
            parent = self._parent(unit)
            if parent is not None and parent.code == target:
                return True
            unit = parent
        return False

    def lineage(self, code: str) -> set[int]:
        """The ids of every version of unit ``code`` and of every unit they succeeded, transitively."""
        todo = [u.id for u in self.versions.get(code, ()) if u.id is not None]
        found: set[int] = set()
        while todo:
            unit_id = todo.pop()
            if unit_id not in found:
                found.add(unit_id)
                todo.extend(self.predecessors.get(unit_id, ()))
        return found


_VERSION = select(ReferenceVersion.__table__.c.version).where(ReferenceVersion.__table__.c.id == 1)


def read_version(db_session: Session) -> int | None:
    """The reference version in the database (None if its row is missing: then every check reloads)."""
    return db_session.scalar(_VERSION)


class ReferenceCache:
    """The reference snapshot of one process, checked against the version row at most every ``max_age`` s."""

    def __init__(self, *, max_age: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        if max_age < 0:
            raise ValueError("INTAKE_REFERENCE_MAX_AGE_SECONDS must not be negative")
        self.max_age = max_age
        self._clock = clock
        self._state: tuple[Snapshot, float] | None = None  # (snapshot, when its version was last checked)
        self.loads = 0  # snapshots read from the database (for tests and diagnostics)

    def get(self, db_session: Session, *, recheck: bool = False) -> Snapshot:
        """The snapshot in force; ``recheck`` reads the version now whatever its age."""
        state = self._state
        now = self._clock()
        if state is not None and not recheck and now - state[1] < self.max_age:
            return state[0]
        version = read_version(db_session)
        if state is not None and version is not None and version == state[0].version:
            snapshot = state[0]
        else:
            # Read the version before the tables: if a change commits in between, the snapshot is
            # labelled older than its contents and the next check reloads it.
            snapshot = Snapshot.load(db_session, version)
            self.loads += 1
        # A plain swap: a thread that read an older version may overwrite a newer snapshot, and the
        # next check (equality with the database's number, never "newer than") reloads it.
        self._state = (snapshot, now)
        return snapshot

    def invalidate(self) -> None:
        """Forget the snapshot (after this process changed reference data)."""
        self._state = None
