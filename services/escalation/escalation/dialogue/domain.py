"""Dialogue rules free of Flask and SQLAlchemy: dates in a plausible range, what a held dialogue records."""

from __future__ import annotations

import datetime as dt

# A dialogue is entered within a year of when it takes place (recorded afterwards, or planned ahead); a date
# outside that is a typing slip (2062 for 2026), not a dialogue.
PLAUSIBLE = dt.timedelta(days=366)
CLOCK_SKEW = dt.timedelta(minutes=5)


def scheduled_problem(scheduled_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why ``scheduled_at`` is not a plausible date for a dialogue, else None."""
    if scheduled_at < now - PLAUSIBLE:
        return "more than a year ago"
    if scheduled_at > now + PLAUSIBLE:
        return "more than a year ahead"
    return None


def held_problem(held_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why a dialogue cannot have been held at ``held_at`` (in the future, or implausibly long ago)."""
    if held_at > now + CLOCK_SKEW:
        return "in the future"
    if held_at < now - PLAUSIBLE:
        return "more than a year ago"
    return None
