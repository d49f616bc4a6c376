"""An in-process copy of the reference tables, reloaded when their version row moves.

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

from .models import Field, Holiday, LegalRule, ReferenceVersion, Unit


@dataclasses.dataclass(frozen=True)
class UnitRef:
    """An administrative unit as the reference table holds it."""

    code: str
    name: str
    level: str
    parent_code: str | None


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
    units: Mapping[str, UnitRef]
    fields: Mapping[str, FieldRef]
    rules: Mapping[str, tuple[tuple[dt.date, object], ...]]  # per key, newest effective date first
    holiday_dates: tuple[dt.date, ...]  # sorted

    @classmethod
    def load(cls, db_session: Session, version: int | None) -> Snapshot:
        """Read the four tables (``version`` is the number read before them; see ReferenceCache)."""
        units = {
            r.code: UnitRef(r.code, r.name, r.level, r.parent_code)
            for r in db_session.execute(select(Unit.code, Unit.name, Unit.level, Unit.parent_code))
        }
        fields = {
            r.code: FieldRef(r.code, r.name_vi, r.name_en, r.agency_code)
            for r in db_session.execute(select(Field.code, Field.name_vi, Field.name_en, Field.agency_code))
        }
        rules: dict[str, list] = {}
        for r in db_session.execute(
            select(LegalRule.key, LegalRule.effective_from, LegalRule.value)
            .order_by(LegalRule.key, LegalRule.effective_from.desc())
        ):
            rules.setdefault(r.key, []).append((r.effective_from, freeze(r.value)))
        holidays = tuple(db_session.scalars(select(Holiday.date).order_by(Holiday.date)))
        return cls(
            version=version,
            units=MappingProxyType(units),
            fields=MappingProxyType(fields),
            rules=MappingProxyType({k: tuple(v) for k, v in rules.items()}),
            holiday_dates=holidays,
        )

    def unit(self, code: str) -> UnitRef | None:
        return self.units.get(code)

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
        return set(dates[bisect.bisect_left(dates, start):bisect.bisect_right(dates, end)])

    def is_ancestor(self, ancestor: str, code: str) -> bool:
        """True when unit ``ancestor`` is above unit ``code`` in the administrative tree."""
        unit = self.units.get(code)
        seen = set()
        while unit is not None and unit.parent_code and unit.code not in seen:
            seen.add(unit.code)
            if unit.parent_code == ancestor:
                return True
            unit = self.units.get(unit.parent_code)
        return False


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
