"""Shift patterns and fair rotation, free of Flask and SQLAlchemy."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet

from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import LOCAL

# Office hours of the reception board, local time.
MORNING = (dt.time(7, 0), dt.time(11, 30))
AFTERNOON = (dt.time(13, 30), dt.time(17, 0))

# Who each kind of shift needs: duty role -> (agency kinds to draw from, how many).
REQUIREMENTS = {
    "morning": {
        "lead": (("board",), 1),
        "inspector": (("inspectorate",), 1),
        "department": (("department",), 1),
        "police": (("police",), 1),
    },
    "afternoon": {
        "lead": (("board",), 1),
        "inspector": (("inspectorate",), 1),
        "department": (("department",), 1),
        "police": (("police",), 1),
    },
    "standby": {"standby": (("board", "inspectorate"), 1)},
    # Midnight to midnight: the leader on call, and a police officer on call so that the police are
    # reachable at every hour (police desk shifts cover office hours only).
    "on_call": {"leader_on_call": (("leadership",), 1), "police": (("police",), 1)},
}

# Shifts whose people are reachable rather than present: being on call never clashes with a desk shift.
ON_CALL_KINDS = frozenset({"on_call"})


def clashes(kind_a: str, kind_b: str) -> bool:
    """True when one officer may not hold both kinds of shift at once (two desk shifts, or two on-call ones)."""
    return (kind_a in ON_CALL_KINDS) == (kind_b in ON_CALL_KINDS)


@dataclasses.dataclass(frozen=True)
class ShiftSlot:
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=LOCAL).astimezone(dt.UTC)


def day_slots(day: dt.date, calendar: Calendar) -> list[ShiftSlot]:
    """The shifts of one day; together they cover every minute, so someone is always reachable."""
    next_morning = _at(day + dt.timedelta(days=1), MORNING[0])
    slots = [ShiftSlot("on_call", _at(day, dt.time(0, 0)), _at(day + dt.timedelta(days=1), dt.time(0, 0)))]
    if calendar.is_working_day(day):  # a make-up Saturday has office hours, a holiday has none
        slots += [
            ShiftSlot("morning", _at(day, MORNING[0]), _at(day, MORNING[1])),
            ShiftSlot("standby", _at(day, MORNING[1]), _at(day, AFTERNOON[0])),
            ShiftSlot("afternoon", _at(day, AFTERNOON[0]), _at(day, AFTERNOON[1])),
            ShiftSlot("standby", _at(day, AFTERNOON[1]), next_morning),
        ]
    else:
        slots.append(ShiftSlot("standby", _at(day, MORNING[0]), next_morning))
    return slots


def period_slots(starts_on: dt.date, ends_on: dt.date, calendar: Calendar) -> Iterator[ShiftSlot]:
    """Every shift from the day before ``starts_on`` (its night standby reaches into the period) to ``ends_on``."""
    day = starts_on - dt.timedelta(days=1)
    while day <= ends_on:
        for slot in day_slots(day, calendar):
            if day >= starts_on or (slot.kind == "standby" and slot.ends_at > _at(starts_on, dt.time(0, 0))):
                yield slot
        day += dt.timedelta(days=1)


def overlaps(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime) -> bool:
    """True when [a_start, a_end) and [b_start, b_end) share an instant."""
    return a_start < b_end and b_start < a_end


def local_day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC instants from local midnight of ``start`` to local midnight after ``end``."""
    return _at(start, dt.time(0, 0)), _at(end + dt.timedelta(days=1), dt.time(0, 0))


class Rotation:
    """Fair rotation within each pool: the least-loaded available officer goes next, then whoever waited longest.

    With everyone available this is plain round-robin; someone skipped for leave catches up afterwards.
    """

    def __init__(self, pools: dict[tuple[str, ...], list[str]]) -> None:
        self._pools = {key: sorted(set(codes)) for key, codes in pools.items() if codes}
        self._load: dict[tuple[tuple[str, ...], str], int] = {}
        self._last: dict[str, int] = {}
        self._tick = 0

    def note(self, agency_kinds: Iterable[str], code: str) -> None:
        """Count an assignment made outside the rotation (a pinned swap or override) as a turn taken."""
        key = (tuple(agency_kinds), code)
        self._load[key] = self._load.get(key, 0) + 1
        self._tick += 1
        self._last[code] = self._tick

    def take(self, agency_kinds: Iterable[str], count: int, unavailable: AbstractSet[str] = frozenset()) -> list[str]:
        """Up to ``count`` officers of the pool, none of them in ``unavailable``."""
        key = tuple(agency_kinds)
        candidates = [c for c in self._pools.get(key, ()) if c not in unavailable]
        candidates.sort(key=lambda c: (self._load.get((key, c), 0), self._last.get(c, 0)))
        chosen = candidates[:count]
        for code in chosen:
            self.note(key, code)
        return chosen
