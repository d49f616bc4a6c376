"""Today (hôm nay): who is on duty in each shift and which leader is on call; the roster with its gaps; swaps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tiepdan_common.clock import LOCAL

from . import labels
from .auth import can, login_required
from .formatting import parse_day, parse_time
from .gateway import api, get, post
from .timekeeping import today_local

bp = Blueprint("today", __name__, url_prefix="/today")

DEFAULT_DAYS = 7
SWAPS_PATH = "/roster/swaps"
COVERAGE_PATH = "/roster/coverage"
SWAP_ACTIONS = ("approve", "reject")


def shift_gaps(shift: dict, reported: dict[int, list[dict]] | None) -> list[dict]:
    """What a shift lacks: roster's coverage report when it answered, else the roles nobody holds."""
    if reported is not None:
        return reported.get(shift.get("id"), [])
    held = {a.get("duty_role") for a in shift.get("assignments", [])}
    return [
        {"duty_role": role, "reason": "unfilled"}
        for role in labels.SHIFT_NEEDS.get(shift.get("kind"), ())
        if role not in held
    ]


def roster_days(shifts: list[dict], reported: dict[int, list[dict]] | None = None) -> list[dict]:
    """Shifts grouped by local day, in time order, each with its gaps."""
    days: dict[dt.date, list[dict]] = defaultdict(list)
    for shift in sorted(shifts, key=lambda s: s.get("starts_at") or ""):
        start = parse_time(shift.get("starts_at"))
        if start:
            days[start.astimezone(LOCAL).date()].append({**shift, "gaps": shift_gaps(shift, reported)})
    return [{"day": d, "shifts": s, "gaps": sum(len(x["gaps"]) for x in s)} for d, s in sorted(days.items())]


def _period() -> tuple[dt.date, dt.date]:
    today = today_local()
    start = parse_day(request.args.get("from")) or today
    end = parse_day(request.args.get("to")) or start + dt.timedelta(days=DEFAULT_DAYS - 1)
    if end < start or (end - start).days > 31:
        end = start + dt.timedelta(days=DEFAULT_DAYS - 1)
    return start, end


@bp.get("")
@login_required
def today():
    """On duty now, the roster of the period with gaps highlighted, and swap requests."""
    start, end = _period()
    on_duty = get("/roster/on-duty")
    bounds = {
        "from": dt.datetime.combine(start, dt.time(0), tzinfo=LOCAL).isoformat(),
        "to": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL).isoformat(),
    }
    shifts = get("/roster/shifts", **bounds)
    swaps = get(SWAPS_PATH)
    coverage = get(COVERAGE_PATH, days=max(1, (end - today_local()).days + 1))
    reported = None
    if coverage.ok and isinstance(coverage.data, dict) and start >= today_local():
        reported = defaultdict(list)
        for gap in coverage.data.get("gaps", []):
            reported[gap.get("shift_id")].append(gap)
    groups: dict[str, list[dict]] = defaultdict(list)
    for officer in (on_duty.data or {}).get("officers", []) if on_duty.ok else []:
        groups[officer.get("shift_kind") or ""].append(officer)
    return render_template(
        "today.html",
        on_duty=on_duty.data if on_duty.ok else None,
        on_duty_error=None if on_duty.ok else labels.status_message(on_duty.status),
        groups=dict(groups),
        days=roster_days(shifts.data, reported) if shifts.ok and isinstance(shifts.data, list) else [],
        coverage=coverage.data if coverage.ok and isinstance(coverage.data, dict) else None,
        shifts_error=None if shifts.ok else labels.status_message(shifts.status),
        swaps=swaps.data if swaps.ok else None,
        swaps_error=None if swaps.ok else labels.status_message(swaps.status),
        start=start,
        end=end,
    )


@bp.post("/swaps/<int:swap_id>/<action>")
@login_required
def swap_action(swap_id, action):
    """The board approves or rejects a swap two officers agreed on."""
    if action not in SWAP_ACTIONS or not can("roster:write"):
        flash(labels.status_message(403), "error")
        return redirect(url_for("today.today"))
    answer = post(f"/roster/swaps/{swap_id}/{action}", json={})
    if answer.ok:
        flash(_("Đã duyệt đổi ca.") if action == "approve" else _("Đã từ chối đổi ca."), "success")
    else:
        flash(labels.status_message(answer.status), "error")
    return redirect(url_for("today.today"))


@bp.get("/roster.<kind>")
@login_required
def roster_export(kind):
    """The roster of the period from roster: an Excel workbook, or its printable page (Vietnamese)."""
    if kind not in ("xlsx", "html"):
        return "", 404
    start, end = _period()
    answer = api(
        "GET", f"/roster/exports/roster.{kind}", raw=True, params={"from": start.isoformat(), "to": end.isoformat()}
    )
    if not answer.ok or not answer.content:
        flash(_("Chưa xuất được lịch trực: %(why)s", why=labels.status_message(answer.status)), "error")
        return redirect(url_for("today.today", **{"from": start.isoformat(), "to": end.isoformat()}))
    headers = {}
    if kind == "xlsx":
        headers["Content-Disposition"] = f'attachment; filename="lich-truc-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    mimetype = answer.headers.get("Content-Type", "application/octet-stream")
    response = Response(answer.content, mimetype=mimetype, headers=headers)
    if kind == "html":
        # roster's page is shown as it is: no script of ours runs in it.
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response
