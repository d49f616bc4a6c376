"""The home page (trang chủ): today at a glance for the board and the leaders.

Who is on duty and the leader on call, the open cases with what comes next, the officer's
unread messages and the petitions falling due. Each panel fails alone, with the reason.
"""

from __future__ import annotations

from flask import redirect, render_template, session, url_for

from . import labels, reference
from .auth import can, current_user, login_required
from .cases import escalation_of
from .escalation_plan import next_target
from .gateway import get
from .inbox import messages
from .petitions import due_lists

MAX_CASES = 12


def _on_duty() -> dict:
    if not can("roster:read"):
        return {}
    answer = get("/roster/on-duty")
    data = answer.data if answer.ok and isinstance(answer.data, dict) else {}
    return {
        "officers": data.get("officers") or [],
        "leader": data.get("leader_on_call"),
        "at": data.get("at"),
        "error": None if answer.ok else labels.status_message(answer.status),
    }


def next_step(case: dict, escalation: dict | None) -> dict:
    """What comes next for an open case, in words and with its time."""
    if escalation and escalation.get("status") == "active":
        return {
            "text": labels.NEXT_STEPS["escalate"],
            "at": escalation.get("next_step_at"),
            "urgent": True,
            "who": next_target(escalation),
        }
    if escalation and escalation.get("status") == "exhausted":
        return {"text": labels.NEXT_STEPS["exhausted"], "at": None, "urgent": True}
    if escalation and escalation.get("status") == "acknowledged":
        return {"text": labels.NEXT_STEPS["progress"], "at": escalation.get("next_step_at"), "urgent": False}
    if case.get("status") == "opened":
        return {"text": labels.NEXT_STEPS["acknowledge"], "at": None, "urgent": True}
    return {"text": labels.NEXT_STEPS["work"], "at": None, "urgent": False}


def _cases() -> dict:
    if not can("cases:read"):
        return {}
    answer = get("/escalation/cases", status="open", limit=100)
    items = answer.data if answer.ok and isinstance(answer.data, list) else []
    rows = []
    for case in items[:MAX_CASES]:
        escalation = escalation_of(case["id"])
        rows.append({**case, "next": next_step(case, escalation)})
    return {"items": rows, "total": len(items), "error": None if answer.ok else labels.status_message(answer.status)}


def glance():
    """Today at a glance; the police go to their board, who reads neither cases nor roster to the inbox."""
    user = current_user() or {}
    if user.get("kind") == "police":
        return redirect(url_for("board.board"))
    if not (can("cases:read") or can("roster:read") or can("petitions:read")):
        return redirect(url_for("inbox.inbox"))
    return render_template(
        "home.html",
        duty=_on_duty(),
        cases=_cases(),
        inbox=messages() if can("inbox:read") else None,
        due=due_lists(limit=50) if can("petitions:read") else None,
        unit_name=reference.unit_name,
        field_name=reference.field_name,
        lang=session.get("lang", "vi"),
    )


def init_app(app) -> None:
    """The site's home (``/``) is today at a glance."""
    app.view_functions["home"] = login_required(glance)
