"""The working-day calendar roster plans with: ``tiepdan_common.calendar`` built from roster's copy.

Public holidays, days off and make-up working Saturdays are data: seeded from
``reference/holidays-vn.json`` into roster's database (``calendar_copy``) and kept in step with
intake's administrators' changes (``reference_sync``). Each API process rebuilds its ``Calendar`` when
the copy's version moves, checked at most every ``calendar_max_age_seconds``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

from flask import current_app, request

from tiepdan_common.calendar import Calendar, CalendarRangeError
from tiepdan_common.errors import field_error
from tiepdan_common.web import PUBLIC_PATHS, db_session

from . import calendar_copy

FILE_NAME = "holidays-vn.json"
OPENAPI_PATH = "/openapi.json"


class CalendarCache:
    """One process's calendar, rebuilt from the database copy when the copy's version moves."""

    def __init__(self, db, path: Path, max_age: float) -> None:
        self.db, self.path, self.max_age = db, Path(path), max_age
        self._lock = threading.Lock()
        self._calendar: Calendar | None = None
        self._version: int | None = None
        self._checked = 0.0
        self._seeded = False

    def seed(self) -> None:
        """Bring the copy in line with the file (once per process; a no-op when it is)."""
        with self.db.session() as session:
            calendar_copy.seed(session, self.path)
        self._seeded = True

    def seed_once(self) -> None:
        """Seed in a transaction of its own before a request opens its own (SQLite would wait on itself)."""
        if not self._seeded:
            with self._lock:
                if not self._seeded:
                    self.seed()

    def get(self, session=None) -> Calendar:
        """The calendar, checked against the copy's version at most every ``max_age`` seconds."""
        with self._lock:
            if self._calendar is not None and time.monotonic() - self._checked < self.max_age:
                return self._calendar
            if not self._seeded:
                self.seed()
            if session is None:
                with self.db.session() as own:
                    return self._refresh(own)
            return self._refresh(session)

    def __getattr__(self, name: str):
        """Stand in for the ``Calendar`` itself (``covers``, ``is_working_day``...), as it is now."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.get(), name)

    def _refresh(self, session) -> Calendar:
        version = calendar_copy.version(session)
        if self._calendar is None or version != self._version:
            self._calendar, self._version = calendar_copy.build(session), version
        self._checked = time.monotonic()
        return self._calendar


def install(app, reference_dir: Path, max_age: float = 1.0) -> CalendarCache:
    """Give ``app`` its calendar cache over the database copy seeded from ``reference_dir`` (lazily)."""
    cache = CalendarCache(app.extensions["tiepdan"]["db"], Path(reference_dir) / FILE_NAME, max_age)
    app.extensions.setdefault("roster", {})["calendar"] = cache

    @app.before_request
    def _seed_calendar() -> None:
        # Health checks and the API document answer without the calendar (and without a migrated database).
        if request.path not in PUBLIC_PATHS and request.path != OPENAPI_PATH:
            cache.seed_once()

    return cache


def current() -> Calendar:
    """The app's calendar, as the database copy has it (within the cache's max age)."""
    return current_app.extensions["roster"]["calendar"].get(db_session())


def require_covered(calendar: Calendar, field: str, *days: dt.date) -> None:
    """A 422 naming ``field`` when a day lies outside the years the calendar knows."""
    for day in days:
        if not calendar.covers(day):
            raise field_error(
                field,
                f"the working-day calendar covers {calendar.first_year}–{calendar.last_year} "
                f"only; {day.isoformat()} is outside it",
            )


__all__ = ["Calendar", "CalendarRangeError", "current", "install", "require_covered"]
