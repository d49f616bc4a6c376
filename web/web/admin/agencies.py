"""Agencies (roster's): add one, or change its name, kind or parent."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import labels
from ..admin_labels import AGENCY_KINDS
from ..gateway import api, get, post
from . import FormErrors, admin_required, api_errors, bp, data_of, day_field, text_of


def _agencies_page(form=None, errors=None, status=200, edit=None):
    agencies = get("/roster/agencies")
    return render_template(
        "admin/agencies.html",
        agencies=data_of(agencies),
        form=form or {},
        errors=errors or {},
        edit=edit,
        kinds=AGENCY_KINDS,
        load_error=None if agencies.ok else labels.status_message(agencies.status),
    ), status


@bp.get("/agencies")
@admin_required
def agencies():
    """Agencies that serve on the roster, with the dates they exist and the People's Committee they belong to."""
    return _agencies_page(edit=request.args.get("edit"))


def _agency_body(form, errors: FormErrors) -> dict:
    return {
        "name": text_of(form, "name"),
        "unit_name": text_of(form, "unit_name"),
        "valid_from": day_field(form, "valid_from", errors),
        "valid_to": day_field(form, "valid_to", errors),
    }


@bp.post("/agencies")
@admin_required
def add_agency():
    """A new agency (POST /roster/agencies)."""
    form, errors = request.form, FormErrors()
    body = {
        "code": text_of(form, "code"),
        "kind": form.get("kind") or "",
        "unit": text_of(form, "unit"),
        **_agency_body(form, errors),
    }
    if errors:
        return _agencies_page(form.to_dict(), errors, 422)
    answer = post("/roster/agencies", json={k: v for k, v in body.items() if v is not None})
    if not answer.ok:
        api_errors(answer, errors)
        return _agencies_page(form.to_dict(), errors, 422)
    flash(_("Đã thêm %(name)s.", name=body["name"]), "success")
    return redirect(url_for("admin.agencies"))


@bp.post("/agencies/<code>")
@admin_required
def edit_agency(code):
    """Change an agency's name, People's Committee or dates (PATCH /roster/agencies/{code})."""
    form, errors = request.form, FormErrors()
    body = _agency_body(form, errors)
    if errors:
        return _agencies_page(form.to_dict(), errors, 422, edit=code)
    answer = api("PATCH", f"/roster/agencies/{code}", json=body)  # an empty date clears it (null: open)
    if not answer.ok:
        api_errors(answer, errors)
        return _agencies_page(form.to_dict(), errors, 422, edit=code)
    flash(_("Đã lưu."), "success")
    return redirect(url_for("admin.agencies"))
