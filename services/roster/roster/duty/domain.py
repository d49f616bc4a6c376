"""Shift patterns and fair rotation, free of Flask and SQLAlchemy."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

# Office hours of the reception board, local time.
MORNING = (dt.time(7, 0), dt.time(11, 30))
AFTERNOON = (dt.time(13, 30), dt.time(17, 0))

# Who each kind of shift needs: duty role -> (agency kinds to draw from, how many).
REQUIREMENTS = {
    "morning": {"lead": (("board",), 1), "inspector": (("inspectorate",), 1),
                "department": (("department",), 1), "police": (("police",), 1)},
    "afternoon": {"lead": (("board",), 1), "inspector": (("inspectorate",), 1),
                  "department": (("department",), 1), "police": (("police",), 1)},
    "standby": {"standby": (("board", "inspectorate"), 1)},
    "on_call": {"leader_on_call": (("leadership",), 1)},
}


@dataclasses.dataclass(frozen=True)
class ShiftSlot:
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def is_working_day(day: dt.date, holidays: set[dt.date]) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in holidays


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=LOCAL).astimezone(dt.UTC)


def day_slots(day: dt.date, holidays: set[dt.date]) -> list[ShiftSlot]:
    """The shifts of one day; together they cover every minute, so someone is always reachable."""
    next_morning = _at(day + dt.timedelta(days=1), MORNING[0])
    slots = [ShiftSlot("on_call", _at(day, dt.time(0, 0)), _at(day + dt.timedelta(days=1), dt.time(0, 0)))]
    if is_working_day(day, holidays):
        slots += [
            ShiftSlot("morning", _at(day, MORNING[0]), _at(day, MORNING[1])),
            ShiftSlot("standby", _at(day, MORNING[1]), _at(day, AFTERNOON[0])),
            ShiftSlot("afternoon", _at(day, AFTERNOON[0]), _at(day, AFTERNOON[1])),
            ShiftSlot("standby", _at(day, AFTERNOON[1]), next_morning),
        ]
    else:
        slots.append(ShiftSlot("standby", _at(day, MORNING[0]), next_morning))
    return slots


def period_slots(starts_on: dt.date, ends_on: dt.date, holidays: set[dt.date]) -> Iterator[ShiftSlot]:
    """Every shift from the day before ``starts_on`` (its night standby reaches into the period) to ``ends_on``."""
    day = starts_on - dt.timedelta(days=1)
    while day <= ends_on:
        for slot in day_slots(day, holidays):
            if day >= starts_on or slot.kind == "standby" and slot.ends_at > _at(starts_on, dt.time(0, 0)):
                yield slot
        day += dt.timedelta(days=1)


class Rotation:
    """Round-robin within each pool of officers, so duty is shared evenly."""

    def __init__(self, pools: dict[tuple[str, ...], list[str]]) -> None:
        self._cycles = {key: itertools.cycle(sorted(codes)) for key, codes in pools.items() if codes}

    def take(self, agency_kinds: Iterable[str], count: int, unavailable: set[str] = frozenset()) -> list[str]:
        key = tuple(agency_kinds)
        cycle = self._cycles.get(key)
        if cycle is None:
            return []
        chosen: list[str] = []
        for _ in range(count * 50):
            code = next(cycle)
            if code not in unavailable and code not in chosen:
                chosen.append(code)
                if len(chosen) == count:
                    break
        return chosen
