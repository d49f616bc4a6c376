"""The working-day calendar every service counts deadlines and shifts with (lịch ngày làm việc).

A working day is Monday to Friday, minus public holidays and days off the Government
announces (Bộ luật Lao động 2019, Điều 112, and each year's notice), plus make-up working
days: a Saturday worked in exchange for a bridge day off (for example Saturday 26 April
2025 for Friday 2 May 2025). All of it is data (``reference/holidays-vn.json``), per year;
a date outside the years the data covers raises instead of guessing.

Pure Python: no framework, no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = ["Calendar", "CalendarRangeError", "DayEntry", "YearInfo"]

_ONE_DAY = dt.timedelta(days=1)


class CalendarRangeError(ValueError):
    """A date outside the years the calendar's data covers."""


@dataclasses.dataclass(frozen=True)
class DayEntry:
    """One dated entry: a day off (holiday, compensatory or swapped day) or a make-up working day."""

    date: dt.date
    name: str
    source: str = ""
    confirmed: bool = True
    in_exchange_for: dt.date | None = None  # make-up day: the bridge day it pays for


@dataclasses.dataclass(frozen=True)
class YearInfo:
    """A year the data covers: ``confirmed`` (the Government's notices are in) or ``provisional``."""

    year: int
    status: str = "confirmed"
    sources: tuple[str, ...] = ()
    note: str = ""


def _entry(raw: Mapping[str, Any], default_source: str) -> DayEntry:
    swap = raw.get("in_exchange_for")
    return DayEntry(
        date=dt.date.fromisoformat(raw["date"]),
        name=raw["name"],
        source=raw.get("source") or default_source,
        confirmed=bool(raw.get("confirmed", True)),
        in_exchange_for=dt.date.fromisoformat(swap) if swap else None,
    )


def _by_date(entries: Iterable[DayEntry]) -> Mapping[dt.date, DayEntry]:
    table: dict[dt.date, DayEntry] = {}
    for e in entries:
        if e.date in table:
            raise ValueError(f"{e.date.isoformat()} is listed twice")
        table[e.date] = e
    return MappingProxyType(table)


@dataclasses.dataclass(frozen=True)
class Calendar:
    """Days off and make-up working days for the years ``first_year``..``last_year`` (inclusive)."""

    first_year: int
    last_year: int
    holidays: tuple[DayEntry, ...] = ()
    makeup_working_days: tuple[DayEntry, ...] = ()
    years: tuple[YearInfo, ...] = ()
    _off: Mapping[dt.date, DayEntry] = dataclasses.field(init=False, repr=False, compare=False)
    _makeup: Mapping[dt.date, DayEntry] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.first_year > self.last_year:
            raise ValueError("first_year is after last_year")
        off, makeup = _by_date(self.holidays), _by_date(self.makeup_working_days)
        for e in (*off.values(), *makeup.values()):
            if not self.first_year <= e.date.year <= self.last_year:
                raise ValueError(f"{e.date.isoformat()} lies outside {self.first_year}..{self.last_year}")
        both = set(off) & set(makeup)
        if both:
            raise ValueError(f"{min(both).isoformat()} is both a day off and a make-up working day")
        object.__setattr__(self, "_off", off)
        object.__setattr__(self, "_makeup", makeup)

    # -- building ---------------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: dict) -> Calendar:
        """A calendar from the ``holidays-vn.json`` shape (``holidays``, ``makeup_working_days``, ``years``)."""
        default_source = data.get("source", "")
        holidays = tuple(_entry(h, default_source) for h in data.get("holidays", ()))
        makeup = tuple(_entry(m, default_source) for m in data.get("makeup_working_days", ()))
        years = tuple(
            YearInfo(
                year=int(y["year"]),
                status=y.get("status", "confirmed"),
                sources=tuple(y.get("sources", ())),
                note=y.get("note", ""),
            )
            for y in data.get("years", ())
        )
        if years:
            numbers = sorted(y.year for y in years)
            if numbers != list(range(numbers[0], numbers[-1] + 1)):
                raise ValueError("the known years must be consecutive")
            first, last = numbers[0], numbers[-1]
        else:  # an older file without "years": the years its entries fall in
            dated = [e.date.year for e in (*holidays, *makeup)]
            if not dated:
                raise ValueError("a calendar needs known years or at least one entry")
            first, last = min(dated), max(dated)
        return cls(
            first_year=first,
            last_year=last,
            holidays=holidays,
            makeup_working_days=makeup,
            years=tuple(sorted(years, key=lambda y: y.year)),
        )

    @classmethod
    def load(cls, path: str | Path) -> Calendar:
        """A calendar from a JSON file (UTF-8)."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    # -- questions --------------------------------------------------------------------------------

    def covers(self, day: dt.date) -> bool:
        """True when ``day`` falls in a year the data covers."""
        return self.first_year <= day.year <= self.last_year

    def _check(self, day: dt.date) -> None:
        if not self.covers(day):
            raise CalendarRangeError(
                f"{day.isoformat()} is outside the calendar's years {self.first_year}..{self.last_year}"
            )

    def is_working_day(self, day: dt.date) -> bool:
        """Monday to Friday and not a day off, or a make-up working day."""
        self._check(day)
        if day in self._makeup:
            return True
        return day.weekday() < 5 and day not in self._off

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted); ``n`` < 0 counts back."""
        self._check(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        day, left = start, abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days d with ``start`` < d <= ``end``; negative when ``end`` is before ``start``.

        So ``working_days_between(s, add_working_days(s, n)) == n``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        self._check(start)
        self._check(end)
        count, day = 0, start + _ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def days_off(self, start: dt.date, end: dt.date) -> set[dt.date]:
        """Listed days off (holidays, compensatory and swapped days) from ``start`` to ``end`` inclusive.

        Ordinary weekends are not listed; make-up Saturdays are never in it.
        """
        self._check(start)
        self._check(end)
        return {d for d in self._off if start <= d <= end}

    def makeup_days(self, start: dt.date, end: dt.date) -> set[dt.date]:
        """Make-up working days (Saturdays worked for a bridge day off) from ``start`` to ``end`` inclusive."""
        self._check(start)
        self._check(end)
        return {d for d in self._makeup if start <= d <= end}

    def entry(self, day: dt.date) -> DayEntry | None:
        """The data behind ``day`` (its name and source) when it is a listed day off or make-up day."""
        self._check(day)
        return self._off.get(day) or self._makeup.get(day)

    def year(self, year: int) -> YearInfo | None:
        """What the data says of one year (status, sources), when it lists years."""
        return next((y for y in self.years if y.year == year), None)
