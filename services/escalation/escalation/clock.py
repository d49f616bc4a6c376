"""Escalation's one time helper beyond tiepdan_common.clock: the ISO timestamps its events carry."""

from __future__ import annotations

import datetime as dt


def iso(moment: dt.datetime | None) -> str | None:
    """An ISO 8601 UTC timestamp for events, or None."""
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None
