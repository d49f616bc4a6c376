"""Who must receive citizens how often (Law 42/2013), free of Flask and SQLAlchemy."""

from __future__ import annotations

import datetime as dt
import unicodedata

from tiepdan_common.calendar import Calendar

# Working days between publication and the reception day (Art. 24(4)).
PUBLISH_AHEAD_WORKING_DAYS = 5

# obligation -> (what the law asks, in Vietnamese)
OBLIGATIONS = {
    "district_chair": "Chủ tịch UBND huyện: ít nhất 2 ngày trong 1 tháng (Điều 13 khoản 5)",
    "commune_chair": "Chủ tịch UBND xã: ít nhất 1 ngày trong 1 tuần (Điều 15 khoản 2 điểm d)",
    "department_head": "Thủ trưởng cơ quan chuyên môn: ít nhất 1 ngày trong 1 tháng (Điều 18 khoản 2)",
}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip().lower()


def obligation(*, agency_kind: str, role: str, title: str) -> str | None:
    """The reception obligation an officer's post carries, from the agency kind and the title."""
    title = _norm(title)
    if agency_kind == "leadership" and title.startswith("chủ tịch"):
        return "district_chair"
    if agency_kind == "commune" and title.startswith("chủ tịch"):
        return "commune_chair"
    if agency_kind == "department" and title.startswith(("trưởng phòng", "chánh văn phòng", "thủ trưởng")):
        return "department_head"
    return None


def published_in_time(day: dt.date, published_on: dt.date, calendar: Calendar) -> bool:
    """True when the day is at least five working days after publication ("chậm nhất 05 ngày làm việc")."""
    return calendar.add_working_days(published_on, PUBLISH_AHEAD_WORKING_DAYS) <= day


def iso_weeks_in_month(year: int, month: int) -> list[tuple[int, int]]:
    """The ISO weeks (year, week) whose Monday falls in the month: the weeks a commune chair answers for."""
    day, weeks = dt.date(year, month, 1), []
    while day.month == month:
        if day.weekday() == 0:
            weeks.append(day.isocalendar()[:2])
        day += dt.timedelta(days=1)
    return weeks


def assess(kind: str, year: int, month: int, days: list[dt.date]) -> dict:
    """How many days the month requires of this post, how many count, and what is missing."""
    if kind == "commune_chair":
        weeks = iso_weeks_in_month(year, month)
        covered = {d.isocalendar()[:2] for d in days}
        missing = [f"{y}-W{w:02d}" for y, w in weeks if (y, w) not in covered]
        return {"required": len(weeks), "scheduled": len(weeks) - len(missing), "missing_weeks": missing,
                "behind": bool(missing)}
    required = 2 if kind == "district_chair" else 1
    return {"required": required, "scheduled": len(days), "missing_weeks": [], "behind": len(days) < required}
