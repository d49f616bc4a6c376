"""Time for every service: the current instant, Viet Nam's local time, and a clock tests can move.

Times are stored in UTC and shown in Asia/Ho_Chi_Minh. A service takes its
clock as a callable returning an aware UTC datetime (``Clock``); the real one
is ``utcnow``. ``TIEPDAN_CLOCK_OFFSET_SECONDS`` shifts the real clock for a
whole demo run (``make run DEMO=2024`` places it in the 2024 plan's period);
signatures and token lifetimes keep the machine's own time.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
OFFSET_VARIABLE = "TIEPDAN_CLOCK_OFFSET_SECONDS"

Clock = Callable[[], dt.datetime]


def _offset_from_environment() -> dt.timedelta:
    raw = os.environ.get(OFFSET_VARIABLE, "").strip()
    if not raw:
        return dt.timedelta(0)
    try:
        return dt.timedelta(seconds=float(raw))
    except ValueError:
        raise SystemExit(f"{OFFSET_VARIABLE} must be a number of seconds, not {raw!r}") from None


_OFFSET = _offset_from_environment()


def utcnow() -> dt.datetime:
    """The current instant, in UTC, timezone-aware (shifted by the demo offset, if one is set)."""
    return dt.datetime.now(dt.UTC) + _OFFSET if _OFFSET else dt.datetime.now(dt.UTC)


def local(moment: dt.datetime) -> dt.datetime:
    """An aware ``moment`` in Viet Nam's time."""
    return moment.astimezone(LOCAL)


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar day in Viet Nam of an aware ``moment``."""
    return moment.astimezone(LOCAL).date()


def today(clock: Clock = utcnow) -> dt.date:
    """Today in Viet Nam, by ``clock``."""
    return local_date(clock())


def offset_to(target: dt.datetime, *, now: dt.datetime | None = None) -> float:
    """The offset in seconds that makes the clock read ``target`` now (for ``TIEPDAN_CLOCK_OFFSET_SECONDS``)."""
    return (target - (now or dt.datetime.now(dt.UTC))).total_seconds()


class FakeClock:
    """A clock for tests: it stands still until moved, and is safe to share between threads."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> dt.datetime:
        """Move forward by a ``timedelta``'s keyword arguments (``minutes=5``); returns the new now."""
        with self._lock:
            self._now += dt.timedelta(**delta)
            return self._now

    def set(self, moment: dt.datetime) -> None:
        """Jump to ``moment`` (an aware datetime)."""
        with self._lock:
            self._now = moment.astimezone(dt.UTC)
