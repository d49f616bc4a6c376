"""Province requests (yêu cầu của tỉnh): who is sent to bring the citizens home, by when, and the outcome."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .formatting import LOCAL
from .gateway import get, post

bp = Blueprint("province", __name__, url_prefix="/board/province")

STEPS = ("assign", "dispatch", "returned", "complete")


def body_for(step: str, form) -> dict:
    """The API body of one step from its form."""
    text = {k: (form.get(k) or "").strip() for k in form}
    if step == "assign":
        return {k: text.get(k) or None for k in ("inspectorate", "board", "commune")}
    if step == "dispatch":
        return {"officers": [o.strip() for o in text.get("officers", "").replace(";", ",").split(",") if o.strip()]}
    if step == "returned":
        value = text.get("returned_at")
        try:
            return {"returned_at": dt.datetime.fromisoformat(value).replace(tzinfo=LOCAL).isoformat()}
        except (TypeError, ValueError):
            return {"returned_at": value or None}
    return {"outcome": text.get("outcome", "")}


@bp.get("/<request_id>")
@login_required
def detail(request_id, errors=None, status=200):
    """One request and the forms for its next steps."""
    answer = get(f"/escalation/province-requests/{request_id}")
    if not answer.ok:
        return render_template("province.html", item=None, error=labels.status_message(answer.status)), (
            answer.status if answer.status >= 400 else 502)
    return render_template("province.html", item=answer.data, error=None, errors=errors or {},
                           now_local=dt.datetime.now(LOCAL).strftime("%Y-%m-%dT%H:%M"),
                           unit_name=reference.unit_name), status


@bp.post("/<request_id>/<step>")
@login_required
def advance(request_id, step):
    """Record a step: assigned, officers sent, citizens returned, completed (the province is told)."""
    if step not in STEPS:
        return "", 404
    if not can("cases:write"):
        flash(labels.status_message(403), "error")
        return redirect(url_for("province.detail", request_id=request_id))
    answer = post(f"/escalation/province-requests/{request_id}/{step}", json=body_for(step, request.form))
    if answer.ok:
        flash(_("Đã cập nhật yêu cầu của tỉnh."), "success")
        return redirect(url_for("province.detail", request_id=request_id))
    errors = {e.get("field"): labels.field_message(e.get("message", "")) for e in answer.field_errors}
    if not errors:
        flash(labels.status_message(answer.status), "error")
    return detail(request_id, errors=errors, status=422 if errors else 200)
