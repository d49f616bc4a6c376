"""Reference data for administrators (quản trị danh mục): administrative units and their successions,
holidays and make-up working days, legal rules (intake) and agencies (roster).

Every form posts to the service's API through the gateway as the signed-in administrator; the API
audits the change and publishes it, and the API's field errors are shown next to their fields.
Only an administrator's sign-in (kind ``admin``) sees these pages. This module holds the blueprint,
the check and the form helpers; each list has its module (units, calendar, rules, agencies).
"""

from __future__ import annotations

import functools

from flask import Blueprint, render_template
from flask_babel import gettext as _

from .. import labels
from ..admin_labels import CHANGE_ACTIONS, CHANGE_TABLES
from ..auth import current_user, login_required
from ..formatting import parse_day
from ..gateway import Answer, get

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


def day_field(form, name: str, errors: FormErrors, required: bool = False) -> str | None:
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


def api_errors(answer: Answer, errors: FormErrors, rename: dict | None = None) -> None:
    """The API's problem: each field error next to its field, anything else as a message on top."""
    for e in answer.field_errors:
        field = (rename or {}).get(e.get("field"), e.get("field") or "form")
        errors.add(field, labels.field_message(e.get("message", ""), e.get("field")))
    if not answer.field_errors:
        errors.add("form", labels.status_message(answer.status, answer.problem))


def data_of(answer: Answer) -> list:
    return answer.data if answer.ok and isinstance(answer.data, list) else []


def text_of(form, name: str) -> str:
    return (form.get(name) or "").strip()


@bp.get("")
@admin_required
def index():
    """The administrator's reference screens and the latest changes (intake's audit)."""
    changes = get("/intake/reference-changes")
    return render_template(
        "admin/index.html",
        changes=data_of(changes)[:30],
        tables=CHANGE_TABLES,
        actions=CHANGE_ACTIONS,
        changes_error=None if changes.ok else labels.status_message(changes.status),
    )


# Each list's routes join the blueprint when its module is imported.
from . import agencies, calendar, rules, units  # noqa: E402, F401
