"""Petition deadlines from dated rules and a working-day calendar, free of Flask and SQLAlchemy.

Sources (the numbers are data, see ``law.json`` and the reference legal rules): Law on Citizen
Reception 42/2013 Art. 28(1) (citizen told within 10 working days); Law on Complaints 02/2011
Art. 27 (acceptance within 10 working days), Arts. 28 and 37 (resolution 30/45/60 days, second time
45/60/70); Law on Denunciation 25/2018 Art. 24 (initial handling 7 working days, 10 for several
sites; forwarding 5 working days), Art. 30 (resolution 30 days, extended once or twice by 30 days).
A temporary suspension stops a resolution clock and a resumption restarts it with the days left.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Protocol


class WorkCalendar(Protocol):
    """What deadlines need of a calendar: ``tiepdan_common.calendar.Calendar`` (which raises
    ``CalendarRangeError`` for a day outside the years its data covers, never guessing)."""

    def is_working_day(self, day: dt.date) -> bool: ...

    def add_working_days(self, start: dt.date, n: int) -> dt.date: ...


def add_days(calendar: WorkCalendar, start: dt.date, days: int) -> dt.date:
    """``days`` calendar days after ``start``; a deadline on a day off moves to the next working day."""
    day = start + dt.timedelta(days=days)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@dataclasses.dataclass(frozen=True)
class Deadline:
    """What must happen by when: the stage a petition is in and its legal deadline."""

    stage: str | None
    deadline: dt.date | None


NONE = Deadline(None, None)


@dataclasses.dataclass(frozen=True)
class Receipt:
    """The deadlines a petition gets when it is received."""

    first: Deadline
    inform_by: dt.date | None
    forward_by: dt.date | None


def on_receipt(
    *, category: str, anonymous: bool, multi_site: bool, received_on: dt.date, rules: dict, calendar: WorkCalendar
) -> Receipt:
    """Acceptance of a complaint, initial handling of a denunciation, or the answer to other petitions.

    An anonymous petition gets none: nobody is told, and an anonymous denunciation is never handled
    as a denunciation (Law on Denunciation Art. 25).
    """
    if anonymous:
        return Receipt(NONE, None, None)
    wd = calendar.add_working_days
    inform_by = wd(received_on, rules["petition_response"])
    if category == "complaint":
        return Receipt(Deadline("acceptance", wd(received_on, rules["complaint_acceptance"])), inform_by, None)
    if category == "denunciation":
        days = rules["denunciation_initial_multi_site" if multi_site else "denunciation_initial"]
        return Receipt(
            Deadline("initial_handling", wd(received_on, days)),
            inform_by,
            wd(received_on, rules["denunciation_forward"]),
        )
    return Receipt(Deadline("response", inform_by), inform_by, None)


def resolution(
    *, category: str, complaint_round: int, complexity: str, accepted_on: dt.date, rules: dict, calendar: WorkCalendar
) -> Deadline:
    """The resolution deadline set at acceptance.

    A complaint: by round and complexity (normal, complex_or_remote, both). A denunciation: the
    normal period; a longer one only through extension steps. Other petitions: none.
    """
    if category == "complaint":
        table = rules["complaint_second" if complaint_round == 2 else "complaint_first"]
        return Deadline("resolution", add_days(calendar, accepted_on, table[complexity]))
    if category == "denunciation":
        return Deadline("resolution", add_days(calendar, accepted_on, rules["denunciation_resolution"]["normal"]))
    return NONE


DENUNCIATION_PERIODS = ("normal", "complex", "very_complex")


def extension(*, extensions_so_far: int, deadline: dt.date, rules: dict, calendar: WorkCalendar) -> dt.date:
    """A denunciation's resolution deadline after one more extension (at most two: Art. 30)."""
    table = rules["denunciation_resolution"]
    if extensions_so_far + 1 >= len(DENUNCIATION_PERIODS):
        raise ValueError("a denunciation's resolution is extended at most twice")
    more = table[DENUNCIATION_PERIODS[extensions_so_far + 1]] - table[DENUNCIATION_PERIODS[extensions_so_far]]
    return add_days(calendar, deadline, more)


def pause(*, deadline: dt.date, on: dt.date) -> int:
    """The calendar days left on the clock when it stops on ``on`` (never negative)."""
    return max((deadline - on).days, 0)


def restart(*, remaining: int, on: dt.date, calendar: WorkCalendar) -> dt.date:
    """The deadline when a stopped clock restarts on ``on`` with ``remaining`` days left."""
    return add_days(calendar, on, remaining)


def on_time(*, done_on: dt.date, deadline: dt.date | None) -> bool:
    """Whether a step done on ``done_on`` met ``deadline`` (no deadline: on time)."""
    return deadline is None or done_on <= deadline


def days_left(deadline: dt.date, today: dt.date) -> int:
    """Calendar days until ``deadline`` (negative once it has passed)."""
    return (deadline - today).days
