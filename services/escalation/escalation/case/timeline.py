"""Appending to a case's timeline without loading it when it is not loaded (the timer never reads it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from tiepdan_common.models import utcnow

from .models import Case, TimelineEntry


def append(
    db_session: Session, case: Case, *, actor: str, kind: str, detail: dict, at: dt.datetime | None = None
) -> TimelineEntry:
    """Add an entry: into the loaded collection (so the answer shows it), else straight to the session."""
    entry = TimelineEntry(case_id=case.id, at=at or utcnow(), actor=actor, kind=kind, detail=detail)
    if "timeline" in inspect(case).unloaded:
        db_session.add(entry)
    else:
        case.timeline.append(entry)
    return entry


def note(
    *, db_session: Session, case: Case, actor: str, kind: str, detail: dict, now: dt.datetime | None = None
) -> TimelineEntry:
    """:func:`append` by keywords, as the other aggregates' services note what they did on a case."""
    return append(db_session, case, actor=actor, kind=kind, detail=detail, at=now)
