"""Correcting or voiding a visit or a petition with a reason; the earlier version stays in its history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from . import labels
from .auth import can, login_required
from .formatting import local, parse_local
from .gateway import api, get

bp = Blueprint("corrections", __name__)

VISIT_TEXT = ("content", "subject")
PETITION_TEXT = ("content", "subject", "citizen_request")


def changes(form, current: dict, names: tuple[str, ...]) -> dict:
    """Only the fields the officer changed (text compared trimmed), with the reason."""
    body = {}
    for name in names:
        value = (form.get(name) or "").strip()
        if name in form and value != (current.get(name) or "").strip():
            body[name] = value or None
    when = (form.get("received_at") or "").strip()
    if when and when != local(current.get("received_at")):
        parsed = parse_local(when)
        body["received_at"] = parsed.isoformat() if parsed else when
    return body


def _back(answer, done: str, target: str):
    if answer.ok:
        flash(done, "success")
    else:
        why = [labels.field_message(e.get("message", ""), e.get("field")) for e in answer.field_errors]
        flash("; ".join(why) or labels.status_message(answer.status, answer.problem), "error")
    return redirect(target)


@bp.post("/register/<visit_id>/correct")
@login_required
def correct_visit(visit_id):
    """Correct a visit's time, content or subject with a reason (the version read guards against a clash)."""
    target = url_for("register.visit", visit_id=visit_id)
    current = get(f"/intake/visits/{visit_id}")
    if not can("visits:write") or not current.ok:
        flash(labels.status_message(403 if current.ok else current.status), "error")
        return redirect(target)
    body = changes(request.form, current.data, VISIT_TEXT)
    if not body:
        flash(_("Không có gì thay đổi."), "info")
        return redirect(target)
    version = current.data.get("version")
    body.update(reason=(request.form.get("reason") or "").strip(), **({"version": version} if version else {}))
    return _back(api("PATCH", f"/intake/visits/{visit_id}", json=body), _("Đã sửa lượt tiếp."), target)


@bp.post("/register/<visit_id>/void")
@login_required
def void_visit(visit_id):
    """Void a visit recorded in error, with a reason; it stays readable with its history."""
    current = get(f"/intake/visits/{visit_id}")
    version = current.data.get("version") if current.ok and isinstance(current.data, dict) else None
    body = {"reason": (request.form.get("reason") or "").strip(), **({"version": version} if version else {})}
    return _back(
        api("POST", f"/intake/visits/{visit_id}/void", json=body),
        _("Đã hủy lượt tiếp."),
        url_for("register.visit", visit_id=visit_id),
    )


@bp.post("/petitions/<petition_id>/correct")
@login_required
def correct_petition(petition_id):
    """Correct a petition's text with a reason; the earlier version stays in its history."""
    target = url_for("petition_page.detail", petition_id=petition_id)
    current = get(f"/intake/petitions/{petition_id}")
    if not can("petitions:write") or not current.ok:
        flash(labels.status_message(403 if current.ok else current.status), "error")
        return redirect(target)
    body = changes(request.form, current.data, PETITION_TEXT)
    body.pop("received_at", None)
    if not body:
        flash(_("Không có gì thay đổi."), "info")
        return redirect(target)
    body["reason"] = (request.form.get("reason") or "").strip()
    return _back(api("PATCH", f"/intake/petitions/{petition_id}", json=body), _("Đã sửa đơn."), target)


@bp.post("/petitions/<petition_id>/void")
@login_required
def void_petition(petition_id):
    """Void a petition entered by mistake, with a reason."""
    return _back(
        api(
            "POST", f"/intake/petitions/{petition_id}/void", json={"reason": (request.form.get("reason") or "").strip()}
        ),
        _("Đã hủy đơn."),
        url_for("petition_page.detail", petition_id=petition_id),
    )
