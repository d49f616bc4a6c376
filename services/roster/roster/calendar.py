"""The working-day calendar roster plans with: ``tiepdan_common.calendar`` loaded from the reference data.

Public holidays, days off and make-up working Saturdays are data (``reference/holidays-vn.json``),
shared with every other service through the one ``Calendar`` class; roster keeps no copy of its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app

from tiepdan_common.calendar import Calendar, CalendarRangeError
from tiepdan_common.errors import field_error

FILE_NAME = "holidays-vn.json"


def install(app, reference_dir: Path) -> Calendar:
    """Load the calendar from ``reference_dir`` into ``app`` (once, at start-up)."""
    calendar = Calendar.load(Path(reference_dir) / FILE_NAME)
    app.extensions.setdefault("roster", {})["calendar"] = calendar
    return calendar


def current() -> Calendar:
    """The app's calendar."""
    return current_app.extensions["roster"]["calendar"]


def require_covered(calendar: Calendar, field: str, *days: dt.date) -> None:
    """A 422 naming ``field`` when a day lies outside the years the calendar knows."""
    for day in days:
        if not calendar.covers(day):
            raise field_error(field, f"the working-day calendar covers {calendar.first_year}–{calendar.last_year} "
                                     f"only; {day.isoformat()} is outside it")


__all__ = ["Calendar", "CalendarRangeError", "current", "install", "require_covered"]
