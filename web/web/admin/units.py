"""Administrative units: their versions, changes and successions (a successor with its legal act)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import labels
from ..admin_labels import SUCCESSION_KINDS, UNIT_LEVELS
from ..gateway import api, get, post
from . import FormErrors, admin_required, api_errors, bp, data_of, day_field, text_of


def _units_page(form=None, errors=None, status=200, edit=None):
    units = get("/intake/units")
    rows = sorted(data_of(units), key=lambda u: (u.get("code") or "", u.get("valid_from") or ""))
    by_id = {u["id"]: u for u in rows if "id" in u}
    return render_template(
        "admin/units.html",
        units=rows,
        by_id=by_id,
        form=form or {},
        errors=errors or {},
        edit=edit,
        levels=UNIT_LEVELS,
        succession_kinds=SUCCESSION_KINDS,
        load_error=None if units.ok else labels.status_message(units.status),
    ), status


@bp.get("/units")
@admin_required
def units():
    """Unit versions (code, name, level, parent, in force from / to) and the forms to add or change them."""
    edit = request.args.get("edit", type=int)
    return _units_page(edit=edit)


@bp.post("/units")
@admin_required
def add_unit():
    """A new unit version; with a predecessor, the succession (and its legal act) recorded after it."""
    form, errors = request.form, FormErrors()
    body = {
        "code": text_of(form, "code"),
        "name": text_of(form, "name"),
        "level": form.get("level") or "",
        "parent_code": text_of(form, "parent_code") or None,
        "source": text_of(form, "source"),
        "valid_from": day_field(form, "valid_from", errors, required=True),
        "valid_to": day_field(form, "valid_to", errors),
    }
    predecessor = form.get("predecessor_id", type=int)
    if predecessor and not text_of(form, "legal_act"):
        errors.add("legal_act", _("Ghi văn bản quyết định việc sắp xếp (số, ngày, cơ quan ban hành)."))
    if errors:
        return _units_page(form.to_dict(), errors, 422)
    answer = post("/intake/units", json={k: v for k, v in body.items() if v is not None})
    if not answer.ok:
        api_errors(answer, errors)
        return _units_page(form.to_dict(), errors, 422 if answer.status in (400, 409, 422) else 200)
    if predecessor:
        link = post(
            "/intake/unit-successions",
            json={
                "predecessor_id": predecessor,
                "successor_id": answer.data["id"],
                "kind": form.get("kind") or "merge",
                "effective_on": body["valid_from"],
                "legal_act": text_of(form, "legal_act"),
            },
        )
        if not link.ok:
            api_errors(link, errors)
            flash(_("Đã thêm đơn vị nhưng chưa ghi được quan hệ kế thừa."), "warning")
            return _units_page(form.to_dict(), errors, 422)
    flash(_("Đã thêm %(name)s.", name=body["name"]), "success")
    return redirect(url_for("admin.units"))


@bp.post("/units/<int:unit_id>")
@admin_required
def edit_unit(unit_id):
    """Close a version (in force until) or correct its name, source or note."""
    form, errors = request.form, FormErrors()
    body = {
        "name": text_of(form, "name"),
        "source": text_of(form, "source"),
        "note": text_of(form, "note") or None,
        "valid_to": day_field(form, "valid_to", errors),
        "reason": text_of(form, "reason") or None,
    }
    if errors:
        return _units_page(form.to_dict(), errors, 422, edit=unit_id)
    body = {k: v for k, v in body.items() if not ((k in ("name", "source") and not v) or (k == "reason" and v is None))}
    answer = api("PATCH", f"/intake/units/{unit_id}", json=body)
    if not answer.ok:
        api_errors(answer, errors)
        return _units_page(form.to_dict(), errors, 422, edit=unit_id)
    flash(_("Đã lưu."), "success")
    return redirect(url_for("admin.units"))
