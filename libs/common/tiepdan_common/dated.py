"""Dated reference data: the version of a thing (a unit, a rule) in force on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def version_on(versions: Sequence[dict], day: dt.date) -> dict | None:
    """The version whose ``valid_from``..``valid_to`` (ISO dates, ``valid_to`` open when empty) holds ``day``;
    else the latest begun by then (an abolished unit keeps its last name); else the earliest; None when empty."""
    ordered = sorted(versions, key=lambda v: v.get("valid_from") or "")
    iso = day.isoformat()
    started = [v for v in ordered if (v.get("valid_from") or "") <= iso]
    current = [v for v in started if not v.get("valid_to") or iso <= v["valid_to"]]
    if current or started:
        return (current or started)[-1]
    return ordered[0] if ordered else None
