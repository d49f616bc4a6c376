"""How desks read a time: stored in UTC, shown as dd/mm/yyyy HH:MM in Viet Nam (tiepdan_common.clock.LOCAL)."""

from __future__ import annotations

import datetime as dt

from tiepdan_common.clock import local


def local_text(moment: dt.datetime | None) -> str:
    """``moment`` as desks read it: dd/mm/yyyy HH:MM, Viet Nam time."""
    return local(moment).strftime("%d/%m/%Y %H:%M") if moment else ""
