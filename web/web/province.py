"""Province requests (yêu cầu của tỉnh): who is sent to bring the citizens home, by when, and the outcome."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .formatting import parse_local
from .gateway import get, post
from .timekeeping import now_local

bp = Blueprint("province", __name__, url_prefix="/board/province")

STEPS = ("assign", "dispatch", "returned", "complete")


def body_for(step: str, form) -> dict:
    """The API body of one step from its form."""
    text = {k: (form.get(k) or "").strip() for k in form}
    if step == "assign":
        return {k: text.get(k) or None for k in ("inspectorate", "board", "commune")}
    if step == "dispatch":
        values = form.getlist("officers") if hasattr(form, "getlist") else [form.get("officers") or ""]
        return {"officers": [o.strip() for v in values for o in v.replace(";", ",").split(",") if o.strip()]}
    if step == "returned":
        value = text.get("returned_at")
        parsed = parse_local(value)
        return {"returned_at": parsed.isoformat() if parsed else (value or None)}
    return {"outcome": text.get("outcome", "")}


@bp.get("/<request_id>")
@login_required
def detail(request_id, errors=None, status=200):
    """One request and the forms for its next steps."""
    answer = get(f"/escalation/province-requests/{request_id}")
    if not answer.ok:
        return render_template("province.html", item=None, error=labels.status_message(answer.status)), (
            answer.status if answer.status >= 400 else 502
        )
    return render_template(
        "province.html",
        item=answer.data,
        error=None,
        errors=errors or {},
        now_local=now_local().strftime("%d/%m/%Y %H:%M"),
        pickers=roster_pickers(answer.data.get("unit")),
        unit_name=reference.unit_name,
    ), status


def roster_pickers(unit: str | None) -> dict:
    """Officers to choose from: of the inspectorate, of the board, of the commune (its own first)."""
    agencies, _s = reference.agencies()
    officers, _s = reference.officers()
    kind_of = {a.get("code"): a.get("kind") for a in agencies}
    unit_of = {a.get("code"): a.get("unit") for a in agencies}
    active = [o for o in officers if o.get("active", True)]
    communes = [o for o in active if kind_of.get(o.get("agency")) == "commune"]
    communes.sort(key=lambda o: (unit_of.get(o.get("agency")) != unit, o.get("agency_name") or ""))
    return {
        "inspectorate": [
            o for o in active if kind_of.get(o.get("agency")) == "inspectorate" or o.get("role") == "inspector"
        ],
        "board": [o for o in active if kind_of.get(o.get("agency")) == "board" or o.get("role") == "board"],
        "commune": communes,
    }


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
