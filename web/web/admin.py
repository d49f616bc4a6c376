"""Reference data for administrators (quản trị danh mục): administrative units and their successions,
holidays and make-up working days, legal rules (intake) and agencies (roster).

Every form posts to the service's API through the gateway as the signed-in administrator; the API
audits the change and publishes it, and the API's field errors are shown next to their fields.
Only an administrator's sign-in (kind ``admin``) sees these pages.
"""

from __future__ import annotations

import functools
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels
from .admin_labels import AGENCY_KINDS, CHANGE_ACTIONS, CHANGE_TABLES, DAY_KINDS, SUCCESSION_KINDS, UNIT_LEVELS
from .auth import current_user, login_required
from .formatting import parse_day
from .gateway import Answer, api, get, post

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    """Signed in, and as an administrator; anyone else gets 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if (current_user() or {}).get("kind") != "admin":
            return render_template(
                "error.html", title=_("Không có quyền"), message=_("Chỉ quản trị viên được sửa danh mục dùng chung.")
            ), 403
        return view(*args, **kwargs)

    return wrapper


class FormErrors(dict):
    """Field name -> the sentence shown next to it."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, message)


def _day_field(form, name: str, errors: FormErrors, required: bool = False) -> str | None:
    """A dd/mm/yyyy field as the API's ISO date; an error next to it when it is not a date."""
    text = (form.get(name) or "").strip()
    if not text:
        if required:
            errors.add(name, _("Chưa nhập ngày (ngày/tháng/năm)."))
        return None
    day = parse_day(text)
    if day is None:
        errors.add(name, _("Ngày không đúng; hãy gõ ngày/tháng/năm, ví dụ 01/07/2025."))
        return None
    return day.isoformat()


def _api_errors(answer: Answer, errors: FormErrors, rename: dict | None = None) -> None:
    """The API's problem: each field error next to its field, anything else as a message on top."""
    for e in answer.field_errors:
        field = (rename or {}).get(e.get("field"), e.get("field") or "form")
        errors.add(field, labels.field_message(e.get("message", ""), e.get("field")))
    if not answer.field_errors:
        errors.add("form", labels.status_message(answer.status, answer.problem))


def _data(answer: Answer) -> list:
    return answer.data if answer.ok and isinstance(answer.data, list) else []


def _text(form, name: str) -> str:
    return (form.get(name) or "").strip()


@bp.get("")
@admin_required
def index():
    """The administrator's reference screens and the latest changes (intake's audit)."""
    changes = get("/intake/reference-changes")
    return render_template(
        "admin/index.html",
        changes=_data(changes)[:30],
        tables=CHANGE_TABLES,
        actions=CHANGE_ACTIONS,
        changes_error=None if changes.ok else labels.status_message(changes.status),
    )


# --------------------------------------------------------------------------- units


def _units_page(form=None, errors=None, status=200, edit=None):
    units = get("/intake/units")
    rows = sorted(_data(units), key=lambda u: (u.get("code") or "", u.get("valid_from") or ""))
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
        "code": _text(form, "code"),
        "name": _text(form, "name"),
        "level": form.get("level") or "",
        "parent_code": _text(form, "parent_code") or None,
        "source": _text(form, "source"),
        "valid_from": _day_field(form, "valid_from", errors, required=True),
        "valid_to": _day_field(form, "valid_to", errors),
    }
    predecessor = form.get("predecessor_id", type=int)
    if predecessor and not _text(form, "legal_act"):
        errors.add("legal_act", _("Ghi văn bản quyết định việc sắp xếp (số, ngày, cơ quan ban hành)."))
    if errors:
        return _units_page(form.to_dict(), errors, 422)
    answer = post("/intake/units", json={k: v for k, v in body.items() if v is not None})
    if not answer.ok:
        _api_errors(answer, errors)
        return _units_page(form.to_dict(), errors, 422 if answer.status in (400, 409, 422) else 200)
    if predecessor:
        link = post(
            "/intake/unit-successions",
            json={
                "predecessor_id": predecessor,
                "successor_id": answer.data["id"],
                "kind": form.get("kind") or "merge",
                "effective_on": body["valid_from"],
                "legal_act": _text(form, "legal_act"),
            },
        )
        if not link.ok:
            _api_errors(link, errors)
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
        "name": _text(form, "name"),
        "source": _text(form, "source"),
        "note": _text(form, "note") or None,
        "valid_to": _day_field(form, "valid_to", errors),
        "reason": _text(form, "reason") or None,
    }
    if errors:
        return _units_page(form.to_dict(), errors, 422, edit=unit_id)
    body = {k: v for k, v in body.items() if not ((k in ("name", "source") and not v) or (k == "reason" and v is None))}
    answer = api("PATCH", f"/intake/units/{unit_id}", json=body)
    if not answer.ok:
        _api_errors(answer, errors)
        return _units_page(form.to_dict(), errors, 422, edit=unit_id)
    flash(_("Đã lưu."), "success")
    return redirect(url_for("admin.units"))


# --------------------------------------------------------------------------- holidays


def _holidays_page(form=None, errors=None, status=200):
    days = get("/intake/holidays")
    return render_template(
        "admin/holidays.html",
        days=_data(days),
        form=form or {},
        errors=errors or {},
        kinds=DAY_KINDS,
        load_error=None if days.ok else labels.status_message(days.status),
    ), status


@bp.get("/holidays")
@admin_required
def holidays():
    """Days off and make-up working days, and the form to add or change one."""
    return _holidays_page()


@bp.post("/holidays")
@admin_required
def put_holiday():
    """Add or change a day off or a make-up working day (PUT /holidays/{date})."""
    form, errors = request.form, FormErrors()
    day = _day_field(form, "date", errors, required=True)
    if errors:
        return _holidays_page(form.to_dict(), errors, 422)
    answer = api(
        "PUT",
        f"/intake/holidays/{day}",
        json={"name": _text(form, "name"), "kind": form.get("kind") or "holiday", "source": _text(form, "source")},
    )
    if not answer.ok:
        _api_errors(answer, errors)
        return _holidays_page(form.to_dict(), errors, 422)
    flash(_("Đã lưu ngày %(d)s; các dịch vụ áp dụng trong vài giây.", d=parse_day(day).strftime("%d/%m/%Y")), "success")
    return redirect(url_for("admin.holidays"))


@bp.post("/holidays/<day>/delete")
@admin_required
def delete_holiday(day):
    """Remove a day entered in error."""
    if parse_day(day) is None:
        abort(404)
    answer = api(
        "DELETE",
        f"/intake/holidays/{parse_day(day).isoformat()}",
        params={"reason": _text(request.form, "reason")} if _text(request.form, "reason") else None,
    )
    flash(
        _("Đã xóa.") if answer.ok else labels.status_message(answer.status, answer.problem),
        "success" if answer.ok else "error",
    )
    return redirect(url_for("admin.holidays"))


# --------------------------------------------------------------------------- legal rules


def _rules_page(form=None, errors=None, status=200):
    rules = get("/intake/legal-rules")
    return render_template(
        "admin/rules.html",
        rules=_data(rules),
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
    effective_from = _day_field(form, "effective_from", errors, required=True)
    raw = _text(form, "value")
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        value = raw  # plain words are a text value
    if value is None:
        errors.add("value", _("Chưa nhập giá trị (một số, true/false, hoặc danh sách JSON)."))
    if errors:
        return _rules_page(form.to_dict(), errors, 422)
    body = {
        "key": _text(form, "key"),
        "effective_from": effective_from,
        "value": value,
        "source": _text(form, "source"),
        "note": _text(form, "note") or None,
    }
    answer = post("/intake/legal-rules", json={k: v for k, v in body.items() if v is not None})
    if not answer.ok:
        _api_errors(answer, errors)
        return _rules_page(form.to_dict(), errors, 422)
    flash(_("Đã thêm quy định %(k)s.", k=body["key"]), "success")
    return redirect(url_for("admin.rules"))


# --------------------------------------------------------------------------- agencies (roster)


def _agencies_page(form=None, errors=None, status=200, edit=None):
    agencies = get("/roster/agencies")
    return render_template(
        "admin/agencies.html",
        agencies=_data(agencies),
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
        "name": _text(form, "name"),
        "unit_name": _text(form, "unit_name"),
        "valid_from": _day_field(form, "valid_from", errors),
        "valid_to": _day_field(form, "valid_to", errors),
    }


@bp.post("/agencies")
@admin_required
def add_agency():
    """A new agency (POST /roster/agencies)."""
    form, errors = request.form, FormErrors()
    body = {
        "code": _text(form, "code"),
        "kind": form.get("kind") or "",
        "unit": _text(form, "unit"),
        **_agency_body(form, errors),
    }
    if errors:
        return _agencies_page(form.to_dict(), errors, 422)
    answer = post("/roster/agencies", json={k: v for k, v in body.items() if v is not None})
    if not answer.ok:
        _api_errors(answer, errors)
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
        _api_errors(answer, errors)
        return _agencies_page(form.to_dict(), errors, 422, edit=code)
    flash(_("Đã lưu."), "success")
    return redirect(url_for("admin.agencies"))
