"""A case's page (vụ việc): its facts, escalation, who was told, and the forms that move it on.

Every form posts to the escalation API and comes back to the page; the API's validation errors
are shown next to the field in the clerk's words.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import casework, labels, reference
from .auth import can, login_required
from .gateway import api, get, post

bp = Blueprint("cases", __name__, url_prefix="/board/cases")

PROGRESS = ("in_progress", "citizens_returned", "resolved")
# The escalation still waits for someone to take the case in these states.
# A failed escalation (its steps kept failing) still waits for someone to take the case on.
PENDING_ESCALATION = ("active", "exhausted", "failed")
CLOSE_REASONS_PATH = "/escalation/cases/close-reasons"


def escalation_of(case_id: str) -> dict | None:
    """The case's escalation (step, next step due), or None when it has none or it cannot be read."""
    answer = get(f"/escalation/cases/{case_id}/escalation")
    return answer.data if answer.ok and isinstance(answer.data, dict) else None


def acknowledgeable(case: dict, escalation: dict | None) -> bool:
    """Whether to offer «Tiếp nhận»: an escalation is still waiting, or a new case has none to read."""
    if case.get("status") == "closed":
        return False
    if escalation:
        return escalation.get("status") in PENDING_ESCALATION
    return case.get("status") == "opened"


def close_reasons() -> list[tuple[str, str]]:
    """The reasons a case may be closed with: the API's list, in the clerk's words."""
    answer = get(CLOSE_REASONS_PATH)
    rows = answer.data if answer.ok else None
    if isinstance(rows, dict):
        rows = rows.get("items") or [{"code": k, "label": v} for k, v in rows.items()]
    if isinstance(rows, list) and rows:
        out = []
        for row in rows:
            code = row.get("code") if isinstance(row, dict) else str(row)
            api_label = row.get("label_vi") or row.get("label") if isinstance(row, dict) else None
            out.append(
                (
                    code,
                    labels.label(labels.CLOSE_REASONS, code) if code in labels.CLOSE_REASONS else (api_label or code),
                )
            )
        return out
    return [(code, str(text)) for code, text in labels.CLOSE_REASONS.items()]


TOLD_PATH = "/notify/messages"


def deliveries_of(case_id: str) -> dict:
    """Who was told about the case, over which channel, when, and how it went (notify's record).

    notify's "who was told" (one row a message: delivered, acknowledged) when it answers; else its deliveries.
    """
    if not can("deliveries:read"):
        return {"items": [], "error": None, "allowed": False}
    told = get(TOLD_PATH, case_id=case_id)
    if told.ok and isinstance(told.data, list):
        rows = [{**m, "sent_at": m.get("delivered_at"), "created_at": m.get("created_at")} for m in told.data]
        return {"items": rows, "error": None, "allowed": True}
    answer = get("/notify/deliveries", case_id=case_id, limit=200)
    items = answer.data if answer.ok and isinstance(answer.data, list) else []
    return {
        "items": sorted(items, key=lambda d: d.get("sent_at") or d.get("created_at") or ""),
        "error": None if answer.ok else labels.status_message(answer.status),
        "allowed": True,
    }


def _context() -> dict:
    return {"unit_name": reference.unit_name, "field_name": reference.field_name}


@bp.get("/<case_id>")
@login_required
def case(case_id, errors=None, status=200, form=None):
    """A case: its timeline, its escalation, who was told, and the forms to work it."""
    answer = get(f"/escalation/cases/{case_id}")
    if not answer.ok:
        return render_template(
            "case.html", case=None, error=labels.status_message(answer.status), **_context()
        ), answer.status if answer.status >= 400 else 502
    data = answer.data
    escalation = escalation_of(case_id)
    writable = can("cases:write") and data.get("status") != "closed"
    reopenable = can("cases:write") and data.get("status") == "closed" and not data.get("merged_into")
    return render_template(
        "case.html",
        case=data,
        escalation=escalation,
        error=None,
        errors=errors or {},
        form=form or {},
        progress=PROGRESS,
        can_acknowledge=can("cases:write") and acknowledgeable(data, escalation),
        writable=writable,
        reopenable=reopenable,
        close_reasons=close_reasons() if writable else [],
        deliveries=deliveries_of(case_id),
        pickers=casework.pickers() if writable else {},
        now_local=casework.now_text(),
        work=casework.sections(case_id, data),
        **_context(),
    ), status


@bp.post("/<case_id>/acknowledge")
@login_required
def acknowledge(case_id):
    """Acknowledge a case in one click (from the board or its page)."""
    from .board import cases_panel_after

    message = labels.status_message(403)
    if can("cases:write"):
        answer = post(f"/escalation/cases/{case_id}/acknowledge", json={})
        message = None if answer.ok else labels.status_message(answer.status)
    if request.headers.get("HX-Request"):
        return cases_panel_after(message)
    flash(message or _("Đã tiếp nhận vụ việc."), "error" if message else "success")
    return redirect(url_for("cases.case", case_id=case_id))


@bp.post("/<case_id>/progress")
@login_required
def progress(case_id):
    """Report progress on a case (in progress, citizens returned home, resolved) with a note."""
    body = {"status": request.form.get("status") or None, "note": (request.form.get("note") or "").strip() or None}
    return write(case_id, "progress", {k: v for k, v in body.items() if v}, _("Đã ghi tiến độ."))


@bp.post("/<case_id>/close")
@login_required
def close(case_id):
    """Close a case with a reason chosen from the API's list, and the officer's account of the outcome."""
    body = {"reason": request.form.get("reason") or "", "outcome": (request.form.get("outcome") or "").strip() or None}
    return write(case_id, "close", {k: v for k, v in body.items() if v is not None}, _("Đã đóng vụ việc."))


@bp.post("/<case_id>/update")
@login_required
def update(case_id):
    """Change severity, the public-order flag, the owner agency; add a participant."""
    current = get(f"/escalation/cases/{case_id}")
    before = current.data if current.ok and isinstance(current.data, dict) else {}
    body = change_body(request.form, before)
    if not body:
        flash(_("Không có gì thay đổi."), "info")
        return redirect(url_for("cases.case", case_id=case_id))
    return write(case_id, "update", body, _("Đã cập nhật vụ việc."))


def change_body(form, before: dict) -> dict:
    """Only what the officer changed: the API records each change on the timeline."""
    body: dict = {}
    severity = form.get("severity")
    if severity and severity != before.get("severity"):
        body["severity"] = severity
    public_order = form.get("public_order") == "on"
    if "public_order_shown" in form and public_order != bool(before.get("public_order")):
        body["public_order"] = public_order
    complex_ = form.get("complex") == "on"
    if "complex_shown" in form and complex_ != bool(before.get("complex")):
        body["complex"] = complex_
    owner = (form.get("owner_agency") or "").strip()
    if owner and owner != (before.get("owner_agency") or ""):
        body["owner_agency"] = owner
    participant = (form.get("participant") or "").strip()
    if "|" in participant:
        kind, value = participant.split("|", 1)
        role = (form.get("participant_role") or "").strip() or None
        body["participants"] = [{"type": kind, "value": value, "role": role}]
    return body


def write(case_id: str, action: str, body: dict | None, done: str, path: str | None = None, method: str = "POST"):
    """Send one of the case's forms; back to the page with the API's errors next to their fields."""
    if not can("cases:write"):
        flash(labels.status_message(403), "error")
        return redirect(url_for("cases.case", case_id=case_id))
    answer = api(method, path or f"/escalation/cases/{case_id}/{action}", json=body)
    if answer.ok:
        flash(done, "success")
        return redirect(url_for("cases.case", case_id=case_id) + f"#{action}")
    errors = {e.get("field"): labels.field_message(e.get("message", ""), e.get("field")) for e in answer.field_errors}
    if not errors:
        flash(labels.status_message(answer.status, answer.problem), "error")
    return case(
        case_id,
        errors={f"{action}.{k}": v for k, v in errors.items()},
        status=422 if errors else 200,
        form=request.form.to_dict(),
    )
