"""The inbox (hộp thư): messages to the signed-in officer, acknowledged in one click."""

from __future__ import annotations

from flask import Blueprint, render_template

from . import labels
from .auth import login_required
from .config import current_settings
from .gateway import get, post

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def messages() -> dict:
    """The officer's messages, newest first, or the reason there are none."""
    answer = get("/notify/inbox", limit=100)
    items = answer.data if answer.ok and isinstance(answer.data, list) else []
    return {
        "items": items,
        "error": None if answer.ok else labels.status_message(answer.status),
        "unacknowledged": sum(1 for m in items if not m.get("acknowledged_at")),
    }


@bp.get("")
@login_required
def inbox():
    """The inbox page; the list refreshes itself."""
    return render_template("inbox.html", box=messages(), refresh=current_settings().refresh_seconds)


@bp.get("/list")
@login_required
def inbox_list():
    """The list alone, for htmx."""
    return render_template("partials/inbox_list.html", box=messages())


@bp.post("/<message_id>/ack")
@login_required
def acknowledge(message_id):
    """Acknowledge one message, then show the list again."""
    answer = post(f"/notify/inbox/{message_id}/ack")
    return render_template(
        "partials/inbox_list.html",
        box=messages(),
        action_error=None if answer.ok else labels.status_message(answer.status),
    )


@bp.get("/badge")
@login_required
def badge():
    """The count of messages not yet acknowledged, for the navigation bar."""
    return render_template("partials/inbox_badge.html", count=messages()["unacknowledged"])
