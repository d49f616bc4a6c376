"""Local dates at the desks: times are stored in UTC, days are counted in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tiepdan_common.models import utcnow

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar day in Viet Nam of an aware ``moment``."""
    return moment.astimezone(LOCAL).date()


def today() -> dt.date:
    """Today in Viet Nam."""
    return local_date(utcnow())


def local_text(moment: dt.datetime | None) -> str:
    """``moment`` as desks read it: dd/mm/yyyy HH:MM, Viet Nam time."""
    return moment.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M") if moment else ""
