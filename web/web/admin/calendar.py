"""Holidays and make-up working days, which the deadlines of petitions count by."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import labels
from ..admin_labels import DAY_KINDS
from ..formatting import parse_day
from ..gateway import api, get
from . import FormErrors, admin_required, api_errors, bp, data_of, day_field, text_of


def _holidays_page(form=None, errors=None, status=200):
    days = get("/intake/holidays")
    return render_template(
        "admin/holidays.html",
        days=data_of(days),
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
    day = day_field(form, "date", errors, required=True)
    if errors:
        return _holidays_page(form.to_dict(), errors, 422)
    answer = api(
        "PUT",
        f"/intake/holidays/{day}",
        json={"name": text_of(form, "name"), "kind": form.get("kind") or "holiday", "source": text_of(form, "source")},
    )
    if not answer.ok:
        api_errors(answer, errors)
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
        params={"reason": text_of(request.form, "reason")} if text_of(request.form, "reason") else None,
    )
    flash(
        _("Đã xóa.") if answer.ok else labels.status_message(answer.status, answer.problem),
        "success" if answer.ok else "error",
    )
    return redirect(url_for("admin.holidays"))
