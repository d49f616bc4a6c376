"""Notices (thông báo, báo cáo) to a distribution list (nơi nhận), and per recipient the proof they were told."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels
from .auth import can, login_required
from .gateway import get, post

bp = Blueprint("notices", __name__, url_prefix="/board/notices")

CHANNELS = ("inbox", "email", "sms")


def notice_body(form) -> dict:
    """The API body of a notice from its form."""
    body = {
        "list": form.get("list") or "",
        "kind": form.get("kind") or "notice",
        "title": (form.get("title") or "").strip(),
        "body": (form.get("body") or "").strip(),
        "attachment_url": (form.get("attachment_url") or "").strip() or None,
        "channels": [c for c in form.getlist("channels") if c in CHANNELS] or ["inbox"],
    }
    return {k: v for k, v in body.items() if v is not None}


def _page(form=None, errors=None, status=200):
    lists = get("/notify/lists")
    recent = get("/notify/notices", limit=30)
    return render_template(
        "notices.html",
        form=form or {},
        errors=errors or {},
        lists=lists.data if lists.ok and isinstance(lists.data, list) else [],
        lists_error=None if lists.ok else labels.status_message(lists.status),
        recent=recent.data if recent.ok and isinstance(recent.data, list) else [],
        recent_error=None if recent.ok else labels.status_message(recent.status),
        idempotency_key=uuid.uuid4().hex,
    ), status


@bp.get("")
@login_required
def notices():
    """The distribution lists, the form to send a notice or report, and the notices sent."""
    return _page()


@bp.post("")
@login_required
def send():
    """Send a notice or report to a list; then its page, with each recipient's proof."""
    form = request.form
    answer = post(
        "/notify/notices",
        json=notice_body(form),
        headers={"Idempotency-Key": form.get("idempotency_key") or uuid.uuid4().hex},
    )
    if answer.ok and isinstance(answer.data, dict):
        flash(_("Đã gửi đến %(n)s nơi nhận.", n=len(answer.data.get("recipients") or [])), "success")
        return redirect(url_for("notices.notice", notice_id=answer.data["id"]))
    errors = {
        ("list" if e.get("field") == "list_name" else e.get("field") or "body"): labels.field_message(
            e.get("message", ""), e.get("field")
        )
        for e in answer.field_errors
    }
    if not errors:
        flash(labels.status_message(answer.status, answer.problem), "error")
    return _page(form.to_dict(), errors, 422 if errors else 200)


@bp.get("/<notice_id>")
@login_required
def notice(notice_id):
    """One notice and, per recipient, over which channel, when delivered and acknowledged."""
    answer = get(f"/notify/notices/{notice_id}")
    if not answer.ok or not isinstance(answer.data, dict):
        return render_template("notice.html", notice=None, error=labels.status_message(answer.status)), (
            answer.status if answer.status >= 400 else 502
        )
    return render_template("notice.html", notice=answer.data, error=None, can_send=can("deliveries:read"))
