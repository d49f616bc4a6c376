"""Legal rules (intake's dated deadlines and their acts)."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import labels
from ..gateway import get, post
from . import FormErrors, admin_required, api_errors, bp, data_of, day_field, text_of


def _rules_page(form=None, errors=None, status=200):
    rules = get("/intake/legal-rules")
    return render_template(
        "admin/rules.html",
        rules=data_of(rules),
        form=form or {},
        errors=errors or {},
        load_error=None if rules.ok else labels.status_message(rules.status),
    ), status


@bp.get("/rules")
@admin_required
def rules():
    """Legal rules by key, each with the day it is in force from and its source."""
    return _rules_page()


@bp.post("/rules")
@admin_required
def add_rule():
    """A legal rule in force from a date (the law changes by new rows, never by editing old ones)."""
    form, errors = request.form, FormErrors()
    effective_from = day_field(form, "effective_from", errors, required=True)
    raw = text_of(form, "value")
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        value = raw  # plain words are a text value
    if value is None:
        errors.add("value", _("Chưa nhập giá trị (một số, true/false, hoặc danh sách JSON)."))
    if errors:
        return _rules_page(form.to_dict(), errors, 422)
    body = {
        "key": text_of(form, "key"),
        "effective_from": effective_from,
        "value": value,
        "source": text_of(form, "source"),
        "note": text_of(form, "note") or None,
    }
    answer = post("/intake/legal-rules", json={k: v for k, v in body.items() if v is not None})
    if not answer.ok:
        api_errors(answer, errors)
        return _rules_page(form.to_dict(), errors, 422)
    flash(_("Đã thêm quy định %(k)s.", k=body["key"]), "success")
    return redirect(url_for("admin.rules"))
