"""The situation board (bảng tình hình): open cases with their step and timer, hot spots, police, province.

The page loads at once; each panel is a fragment that htmx refreshes every few seconds,
and each fails alone with a clear message when its endpoint is missing or refuses.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from . import labels, reference
from .auth import can, login_required
from .cases import acknowledgeable, escalation_of
from .config import current_settings
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
PANEL_PERMISSION = {
    "cases": "cases:read",
    "hotspots": "hotspots:read",
    "incidents": "incidents:read",
    "province": "province_requests:read",
    "alerts": "alerts:read",
}
HOTSPOT_CHANGES = ("active", "defused")
MAX_TIMERS = 25  # escalation timers asked per refresh


def _items(data) -> list:
    if isinstance(data, dict):
        return data.get("items") or []
    return data if isinstance(data, list) else []


def panel(name: str) -> dict:
    """One panel's rows, or the clerk's words for why there are none."""
    path, params = PANELS[name]
    answer = get(path, **params)
    items = _items(answer.data) if answer.ok else []
    if name == "cases":
        items = [
            {**case, "escalation": escalation_of(case["id"]) if i < MAX_TIMERS else None}
            for i, case in enumerate(items)
        ]
        items = [{**case, "can_acknowledge": acknowledgeable(case, case["escalation"])} for case in items]
    return {
        "items": items,
        "error": None if answer.ok else labels.status_message(answer.status),
        "status": answer.status,
    }


def _context() -> dict:
    return {"unit_name": reference.unit_name, "field_name": reference.field_name}


@bp.get("")
@login_required
def board():
    """The whole board; the panels refresh themselves."""
    panels = {name: panel(name) for name in PANELS if can(PANEL_PERMISSION[name])}
    return render_template("board.html", panels=panels, refresh=current_settings().refresh_seconds, **_context())


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


def cases_panel_after(message: str | None):
    """The cases panel again after an action taken from it (htmx)."""
    return render_template("partials/board_cases.html", panel=panel("cases"), action_error=message, **_context())


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
    return render_template("partials/board_hotspots.html", panel=panel("hotspots"), action_error=message, **_context())
