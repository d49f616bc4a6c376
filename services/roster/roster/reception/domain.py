"""Which post carries a reception duty, and whether a day was published in time; free of Flask and SQLAlchemy.

How many days each duty asks, and since when, is data: see ``duties.py``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from tiepdan_common.calendar import Calendar


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip().lower()


# Unit codes of the statistics office (Quyết định 124/2004/QĐ-TTg): 2 digits a province, 3 a district.
PROVINCE_CODE_LENGTH = 2


def obligation(*, agency_kind: str, role: str, title: str, unit: str = "") -> str | None:
    """The reception obligation an officer's post carries, from the agency kind, its unit and the title."""
    title = _norm(title)
    if agency_kind == "leadership" and title.startswith("chủ tịch"):
        return "province_chair" if len(unit) == PROVINCE_CODE_LENGTH else "district_chair"
    if agency_kind == "commune" and title.startswith("chủ tịch"):
        return "commune_chair"
    if agency_kind == "department" and title.startswith(("trưởng phòng", "chánh văn phòng", "thủ trưởng", "giám đốc")):
        return "department_head"
    return None


def published_in_time(day: dt.date, published_on: dt.date, calendar: Calendar, ahead: int) -> bool:
    """True when the day is at least ``ahead`` working days after publication ("chậm nhất 05 ngày làm việc")."""
    return calendar.add_working_days(published_on, ahead) <= day
