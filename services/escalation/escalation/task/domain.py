"""Task rules free of Flask and SQLAlchemy: a due time that makes sense."""

from __future__ import annotations

import datetime as dt

# A due time a minute in the past is a slip of the clock; one a year ahead is not a task on a live case.
PAST_TOLERANCE = dt.timedelta(minutes=5)
FURTHEST_DUE = dt.timedelta(days=366)
STATUSES = ("open", "done")


def due_problem(due_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why ``due_at`` is not a due time for a new task, else None."""
    if due_at < now - PAST_TOLERANCE:
        return "already past"
    if due_at > now + FURTHEST_DUE:
        return "more than a year ahead"
    return None


def overdue(*, status: str, due_at: dt.datetime, now: dt.datetime) -> bool:
    """An open task past its due time."""
    return status == "open" and due_at < now
