"""Reports (báo cáo): the daily summary and the periodic statistics, with charts."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from tiepdan_common.clock import LOCAL

from . import charts, labels, reference
from .auth import login_required
from .formatting import parse_day, parse_time
from .gateway import api, get
from .register import _day_bound
from .timekeeping import now_local, today_local

bp = Blueprint("reports", __name__, url_prefix="/reports")

STATISTICS_PATH = "/intake/visits/statistics"
COMPLEX_CASES_PATH = "/escalation/cases/report"
SUMMARY_EVENT = "escalation.daily_summary.ready"
MAX_PAGES = 20  # visits fetched for the per-day chart (2,000 at most)


def _period() -> tuple[dt.date, dt.date]:
    today = today_local()
    start = parse_day(request.args.get("from")) or today.replace(day=1)
    end = parse_day(request.args.get("to")) or today
    return (start, end) if start <= end else (end, start)


def _bounds(start: dt.date, end: dt.date) -> dict:
    return {"from": _day_bound(start.isoformat(), end=False), "to": _day_bound(end.isoformat(), end=True)}


def visits_between(start: dt.date, end: dt.date) -> tuple[list[dict], bool, int]:
    """The visits of a period from the register (all, truncated flag, status)."""
    items, cursor = [], None
    for _page in range(MAX_PAGES):
        answer = get("/intake/visits", limit=100, cursor=cursor, **_bounds(start, end))
        if not answer.ok:
            return items, False, answer.status
        items += answer.data.get("items", [])
        cursor = answer.data.get("next_cursor")
        if not cursor:
            return items, False, 200
    return items, True, 200


def _value(visit: dict, key: str):
    return (visit.get("outcome") or {}).get("type") if key == "outcome" else visit.get(key)


def _ranked(counts: dict, name) -> list[tuple[str, int]]:
    return sorted(((name(k), v) for k, v in counts.items() if v), key=lambda kv: -kv[1])


def statistics(start: dt.date, end: dt.date, items: list[dict]) -> dict:
    """The counts a periodic report needs, from intake's statistics (or counted from the visits)."""
    lang = session.get("lang", "vi")
    answer = get(STATISTICS_PATH, **_bounds(start, end))
    if answer.ok and isinstance(answer.data, dict):
        counts = answer.data
        by = {key: counts.get(f"by_{key}", {}) for key in ("category", "field", "origin_unit", "outcome")}
    else:
        counts = {
            "total": len(items),
            "mass": sum(1 for v in items if v.get("is_mass")),
            "citizens": sum(v.get("group_size") or 0 for v in items),
        }
        by = {key: Counter(_value(v, key) for v in items) for key in ("category", "field", "origin_unit", "outcome")}
    by_day, by_day_mass = Counter(), Counter()
    for v in items:
        when = parse_time(v.get("received_at"))
        if when:
            key = when.astimezone(LOCAL).date()
            by_day[key] += 1
            by_day_mass[key] += 1 if v.get("is_mass") else 0
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)][-62:]
    return {
        "total": counts.get("total", 0),
        "mass": counts.get("mass", 0),
        "citizens": counts.get("citizens", 0),
        "over_level": counts.get("over_level"),
        "repeats": counts.get("repeats"),
        "category": _ranked(by["category"], lambda c: labels.label(labels.CATEGORIES, c)),
        "field": _ranked(by["field"], lambda c: reference.field_name(c, lang)),
        "unit": _ranked(by["origin_unit"], reference.unit_name),
        "outcome": _ranked(by["outcome"], lambda c: labels.label(labels.OUTCOMES, c)),
        "days": [(d.strftime("%d/%m"), by_day[d], by_day_mass[d]) for d in days],
        "from_service": answer.ok,
    }


def live_summary(items: list[dict]) -> dict:
    """Today's figures, counted now from the register and the board."""
    today = today_local()
    todays = [
        v
        for v in items
        if (parse_time(v.get("received_at")) or dt.datetime.min.replace(tzinfo=dt.UTC)).astimezone(LOCAL).date()
        == today
    ]

    def count(path, **params):
        answer = get(path, **params)
        return len(answer.data) if answer.ok and isinstance(answer.data, list) else None

    return {
        "visits": len(todays),
        "mass": sum(1 for v in todays if v.get("is_mass")),
        "open_cases": count("/escalation/cases", status="open", limit=500),
        "hotspots": count("/escalation/hotspots", status="open", limit=500),
        "province": count("/escalation/province-requests", status="open", limit=500),
    }


DAILY_SUMMARY_PATH = "/escalation/reports/daily-summary"


def daily_summary(day: dt.date | None) -> dict:
    """A date's situation summary from escalation (today: so far), or why it cannot be read."""
    answer = get(DAILY_SUMMARY_PATH, date=day.isoformat() if day else None)
    if answer.ok and isinstance(answer.data, dict):
        return {"summary": answer.data, "error": None}
    errors = [labels.field_message(e.get("message", ""), e.get("field")) for e in answer.field_errors]
    return {"summary": None, "error": "; ".join(errors) or labels.status_message(answer.status)}


def latest_daily_summary() -> dict | None:
    """The last daily situation summary sent to the signed-in officer's inbox, if any."""
    answer = get("/notify/inbox", limit=200)
    if not answer.ok or not isinstance(answer.data, list):
        return None
    return next((m for m in answer.data if m.get("event_type") == SUMMARY_EVENT), None)


@bp.get("")
@login_required
def reports():
    """The daily summary and the statistics of a period, with charts."""
    start, end = _period()
    today = today_local()
    summary_day = parse_day(request.args.get("date"))
    items, truncated, status = visits_between(min(start, today), max(end, today))
    in_period = [
        v
        for v in items
        if start
        <= (parse_time(v.get("received_at")) or dt.datetime.min.replace(tzinfo=dt.UTC)).astimezone(LOCAL).date()
        <= end
    ]
    stats = statistics(start, end, in_period) if status == 200 else None
    figures = {}
    if stats:
        figures = {
            "days": charts.day_chart(stats["days"], title=_("Lượt tiếp theo ngày")),
            "category": charts.bar_chart(stats["category"], title=_("Theo loại đơn, việc")),
            "field": charts.bar_chart(stats["field"][:10], title=_("Theo lĩnh vực")),
            "unit": charts.bar_chart(stats["unit"][:13], title=_("Theo xã, thị trấn")),
            "outcome": charts.bar_chart(stats["outcome"], title=_("Theo kết quả tiếp")),
        }
    return render_template(
        "reports.html",
        start=start,
        end=end,
        stats=stats,
        figures=figures,
        truncated=truncated,
        stats_error=None if status == 200 else labels.status_message(status),
        summary=latest_daily_summary(),
        live=live_summary(items),
        on_demand=daily_summary(summary_day),
        summary_day=request.args.get("date", ""),
    )


@bp.get("/complex-cases.xlsx")
@login_required
def complex_cases():
    """The list of complex, prolonged cases made by escalation, passed through as XLSX."""
    answer = api("GET", COMPLEX_CASES_PATH, raw=True, params={"format": "xlsx"})
    if not answer.ok or not answer.content:
        why = labels.status_message(answer.status)
        flash(_("Chưa xuất được danh sách vụ việc phức tạp: %(why)s", why=why), "error")
        return redirect(url_for("reports.reports"))
    stamp = now_local().strftime("%Y%m%d-%H%M")
    return Response(
        answer.content,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="vu-viec-phuc-tap-{stamp}.xlsx"'},
    )
