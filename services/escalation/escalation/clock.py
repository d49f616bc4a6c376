"""Time for escalation: an injectable clock (tests step through escalations without sleeping) and local time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from tiepdan_common.models import utcnow

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The real current time, in UTC."""
    return utcnow()


def local(moment: dt.datetime) -> dt.datetime:
    """``moment`` shown in Asia/Ho_Chi_Minh."""
    return moment.astimezone(LOCAL)


def iso(moment: dt.datetime | None) -> str | None:
    """An ISO 8601 UTC timestamp for events, or None."""
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None
