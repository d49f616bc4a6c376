"""The situation board (bảng tình hình): open cases with their step and timer, hot spots, police, province.

The page loads at once; each panel is a fragment that htmx refreshes every few seconds,
and each fails alone with a clear message when its endpoint is missing or refuses.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .gateway import get, post

bp = Blueprint("board", __name__, url_prefix="/board")

PANELS = {
    "cases": ("/escalation/cases", {"status": "open", "limit": 100}),
    "hotspots": ("/escalation/hotspots", {"status": "open"}),
    "incidents": ("/escalation/incidents", {"limit": 10}),
    "province": ("/escalation/province-requests", {"status": "open"}),
    "alerts": ("/escalation/alerts", {"limit": 20}),
}
# Each panel shows to the officers holding the permission that opens it.
PANEL_PERMISSION = {"cases": "cases:read", "hotspots": "hotspots:read", "incidents": "incidents:read",
                    "province": "province_requests:read", "alerts": "alerts:read"}
PROGRESS = ("in_progress", "citizens_returned", "resolved")
HOTSPOT_CHANGES = ("active", "defused")
MAX_TIMERS = 25  # escalation timers asked per refresh


def _items(data) -> list:
    if isinstance(data, dict):
        return data.get("items") or []
    return data if isinstance(data, list) else []


def escalation_of(case_id: str) -> dict | None:
    """The case's escalation (step, next step due), or None when it has none or it cannot be read."""
    answer = get(f"/escalation/cases/{case_id}/escalation")
    return answer.data if answer.ok and isinstance(answer.data, dict) else None


def panel(name: str) -> dict:
    """One panel's rows, or the clerk's words for why there are none."""
    path, params = PANELS[name]
    answer = get(path, **params)
    items = _items(answer.data) if answer.ok else []
    if name == "cases":
        items = [{**case, "escalation": escalation_of(case["id"]) if i < MAX_TIMERS else None}
                 for i, case in enumerate(items)]
    return {"items": items, "error": None if answer.ok else labels.status_message(answer.status),
            "status": answer.status}


def _context() -> dict:
    return {"unit_name": reference.unit_name, "field_name": reference.field_name}


@bp.get("")
@login_required
def board():
    """The whole board; the panels refresh themselves."""
    panels = {name: panel(name) for name in PANELS if can(PANEL_PERMISSION[name])}
    return render_template("board.html", panels=panels, refresh=current_app.config["REFRESH_SECONDS"], **_context())


@bp.get("/panel/<name>")
@login_required
def refresh(name):
    """One panel, for htmx."""
    if name not in PANELS:
        return "", 404
    return render_template(f"partials/board_{name}.html", panel=panel(name), **_context())


@bp.post("/alerts/<alert_id>/ack")
@login_required
def acknowledge_alert(alert_id):
    """The police acknowledge an alert in one click, then the alerts panel shows again."""
    message = labels.status_message(403)
    if can("alerts:ack"):
        answer = post(f"/escalation/alerts/{alert_id}/ack", json={})
        message = None if answer.ok else labels.status_message(answer.status)
    return render_template("partials/board_alerts.html", panel=panel("alerts"), action_error=message, **_context())


@bp.post("/cases/<case_id>/acknowledge")
@login_required
def acknowledge(case_id):
    """Acknowledge a case in one click from the board, then show the cases panel again."""
    message = labels.status_message(403)
    if can("cases:write"):
        answer = post(f"/escalation/cases/{case_id}/acknowledge", json={})
        message = None if answer.ok else labels.status_message(answer.status)
    if request.headers.get("HX-Request"):
        return render_template("partials/board_cases.html", panel=panel("cases"), action_error=message,
                               **_context())
    flash(message or _("Đã tiếp nhận vụ việc."), "error" if message else "success")
    return redirect(url_for("board.case", case_id=case_id))


@bp.post("/hotspots/<hotspot_id>/<status>")
@login_required
def hotspot(hotspot_id, status):
    """Activate a hot spot by hand, or mark it defused, then show the hot spots panel again."""
    if status not in HOTSPOT_CHANGES:
        return "", 404
    message = labels.status_message(403)
    if can("cases:write"):
        answer = post(f"/escalation/hotspots/{hotspot_id}", json={"status": status})
        message = None if answer.ok else labels.status_message(answer.status)
    return render_template("partials/board_hotspots.html", panel=panel("hotspots"), action_error=message,
                           **_context())


@bp.get("/cases/<case_id>")
@login_required
def case(case_id, errors=None, status=200):
    """A case: its timeline, its escalation, and the forms to acknowledge, report progress or close it."""
    answer = get(f"/escalation/cases/{case_id}")
    if not answer.ok:
        return render_template("case.html", case=None, error=labels.status_message(answer.status),
                               **_context()), answer.status if answer.status >= 400 else 502
    return render_template("case.html", case=answer.data, escalation=escalation_of(case_id), error=None,
                           errors=errors or {}, progress=PROGRESS, **_context()), status


@bp.post("/cases/<case_id>/progress")
@login_required
def progress(case_id):
    """Report progress on a case (in progress, citizens returned home, resolved) with a note."""
    body = {"status": request.form.get("status") or None, "note": (request.form.get("note") or "").strip() or None}
    return _write(case_id, "progress", {k: v for k, v in body.items() if v}, _("Đã ghi tiến độ."))


@bp.post("/cases/<case_id>/close")
@login_required
def close(case_id):
    """Close a case with its reason."""
    body = {"reason": (request.form.get("reason") or "").strip(),
            "outcome": (request.form.get("outcome") or "").strip() or None}
    return _write(case_id, "close", {k: v for k, v in body.items() if v is not None}, _("Đã đóng vụ việc."))


def _write(case_id: str, action: str, body: dict, done: str):
    if not can("cases:write"):
        flash(labels.status_message(403), "error")
        return redirect(url_for("board.case", case_id=case_id))
    answer = post(f"/escalation/cases/{case_id}/{action}", json=body)
    if answer.ok:
        flash(done, "success")
        return redirect(url_for("board.case", case_id=case_id))
    errors = {e.get("field"): labels.field_message(e.get("message", "")) for e in answer.field_errors}
    if not errors:
        flash(labels.status_message(answer.status), "error")
    return case(case_id, errors={f"{action}.{k}": v for k, v in errors.items()}, status=422 if errors else 200)
