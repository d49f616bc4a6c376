"""The desk (bàn tiếp): record a visit fast, keyboard only, with the duplicate warning before saving.

The warning's search (earlier visits and petitions of the same citizens) is in visit_duplicates.py.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .formatting import local, parse_local
from .gateway import post
from .timekeeping import now_local
from .visit_duplicates import duplicates

bp = Blueprint("desk", __name__, url_prefix="/desk")

CITIZEN_FIELDS = ("full_name", "address", "id_number", "phone")
DEFAULT_ROWS = 3
MAX_ROWS = 60
# Where the error summary's links take the keyboard for errors that are not about one input.
ANCHORS = {"citizens": "citizens-0-is_representative", "outcome": "outcome-documents_taken", "body": "category"}


def row_count(form) -> int:
    """How many citizen rows the form has (a tampered value falls back to the default)."""
    value = str(form.get("rows") or "")
    return min(int(value), MAX_ROWS) if value.isdigit() and int(value) > 0 else DEFAULT_ROWS


def read_form(form) -> tuple[dict, list[int]]:
    """The API body from the submitted form, and the form row of each citizen sent."""
    rows = row_count(form)
    citizens, row_of = [], []
    for i in range(rows):
        person = {k: (form.get(f"citizens-{i}-{k}") or "").strip() or None for k in CITIZEN_FIELDS}
        if not any(person.values()):
            continue
        person["full_name"] = person["full_name"] or ""
        person["is_representative"] = form.get(f"citizens-{i}-is_representative") == "on"
        citizens.append(person)
        row_of.append(i)
    size = (form.get("group_size") or "").strip()
    body = {
        "category": form.get("category") or None,
        "field": (form.get("field") or "").strip() or None,
        "origin_unit": (form.get("origin_unit") or "").strip() or None,
        "content": (form.get("content") or "").strip(),
        "prior_handling": (form.get("prior_handling") or "").strip() or None,
        "citizen_request": (form.get("citizen_request") or "").strip() or None,
        "subject": (form.get("subject") or "").strip() or None,
        "group_size": int(size) if size.isdigit() else (size or None),
        "over_level": form.get("over_level") == "on",
        "citizens": citizens,
        "outcome": {
            "type": form.get("outcome") or None,
            "competent_body": (form.get("competent_body") or "").strip() or None,
            "refusal_ground": (form.get("refusal_ground") or None) if form.get("outcome") == "refused" else None,
        },
    }
    received = (form.get("received_at") or "").strip()
    if received:
        parsed = parse_local(received)
        body["received_at"] = parsed.isoformat() if parsed else received
    return {k: v for k, v in body.items() if v is not None}, row_of


def errors_by_input(problem_errors: list[dict], row_of: list[int]) -> dict[str, str]:
    """API errors keyed by the form input they belong to, in the clerk's words."""
    out: dict[str, str] = {}
    for error in problem_errors:
        field = error.get("field") or "body"
        name = field
        if field.startswith("citizens[") and "]." in field:
            index, _sep, attr = field[len("citizens[") :].partition("].")
            row = row_of[int(index)] if index.isdigit() and int(index) < len(row_of) else 0
            name = f"citizens-{row}-{attr}"
        elif field.startswith("outcome."):
            name = {"outcome.type": "outcome"}.get(field, field.split(".", 1)[1])
        out.setdefault(name, labels.field_message(error.get("message", ""), field))
    return out


def input_label(name: str) -> str:
    """The clerk's name of a form input such as ``citizens-2-phone``."""
    if name.startswith("citizens-"):
        _prefix, row, attr = name.split("-", 2)
        return labels.field_label(f"citizens[{row}].{attr}")
    return labels.field_label(
        {
            "outcome": "outcome.type",
            "competent_body": "outcome.competent_body",
            "refusal_ground": "outcome.refusal_ground",
        }.get(name, name)
    )


def _render(form=None, errors=None, message=None, similar=None, status=200):
    similar = similar or {}
    rows = row_count(form or {})
    communes, _status = reference.communes()
    fields, _status = reference.fields()
    errors = errors or {}
    error_list = [(ANCHORS.get(name, name), input_label(name), text) for name, text in errors.items()]
    return render_template(
        "desk.html",
        form=form or {},
        errors=errors,
        error_list=error_list,
        message=message,
        similar=similar,
        rows=rows,
        communes=communes,
        fields=fields,
        idempotency_key=(form or {}).get("idempotency_key") or uuid.uuid4().hex,
        now_local=now_local().strftime("%d/%m/%Y %H:%M"),
    ), status


@bp.get("")
@login_required
def new_visit():
    """An empty form."""
    return _render()


@bp.post("")
@login_required
def save_visit():
    """Add a row, or warn about similar earlier visits, or record the visit."""
    if not can("visits:write"):
        return _render(request.form, message=labels.status_message(403), status=403)
    form = request.form.to_dict()
    if request.form.get("action") == "add_row":
        form["rows"] = str(min(row_count(form) + 1, MAX_ROWS))
        form["focus"] = f"citizens-{row_count(form) - 1}-full_name"  # the keyboard stays on the new row
        return _render(form)
    if request.form.get("action") == "enter":
        # Enter in a field (the page's script turns it into "next field"): never a half-filled save.
        return _render(form, message=_("Lượt tiếp chưa được ghi. Nhập xong rồi bấm «Ghi sổ» (hoặc Ctrl+Enter)."))
    body, row_of = read_form(request.form)
    if request.form.get("confirm_duplicate") != "yes":
        similar = duplicates(body)
        if similar:
            return _render(form, similar=similar, status=409)
    key = form.get("idempotency_key") or uuid.uuid4().hex
    answer = post("/intake/visits", json=body, headers={"Idempotency-Key": key})
    if answer.ok:
        visit = answer.data
        flash(_("Đã ghi sổ lượt tiếp số %(serial)s.", serial=visit.get("serial")), "success")
        earlier = visit.get("earlier")
        if earlier:
            flash(
                _(
                    "Công dân đã đến về việc này: ghi là lần lặp lại của lượt tiếp số %(serial)s ngày %(day)s "
                    "(lần trước: %(outcome)s).",
                    serial=earlier.get("serial"),
                    day=local(earlier.get("received_at"), "%d/%m/%Y"),
                    outcome=labels.label(labels.OUTCOMES, (earlier.get("outcome") or {}).get("type")),
                ),
                "warning",
            )
        if visit.get("is_mass") or visit.get("over_level"):
            flash(
                _(
                    "Đây là đoàn đông người hoặc vượt cấp: hệ thống mở vụ việc và báo theo quy trình; "
                    "xem bên dưới ai đã được báo và bước tiếp theo."
                ),
                "warning",
            )
        mass = 1 if visit.get("is_mass") or visit.get("over_level") else None
        return redirect(url_for("desk.new_visit", last=visit.get("id"), mass=mass))
    errors = errors_by_input(answer.field_errors, row_of)
    form["idempotency_key"] = uuid.uuid4().hex
    return _render(form, errors=errors, message=labels.status_message(answer.status), status=422)


@bp.get("/case/<visit_id>")
@login_required
def case_of_visit(visit_id):
    """The case a visit opened or joined, and what its escalation did and will do next (htmx, polled)."""
    from .escalation_plan import plan_for_visit

    return render_template(
        "partials/desk_case.html",
        plan=plan_for_visit(visit_id),
        visit_id=visit_id,
        tries=int(request.args.get("tries") or 0),
    )


@bp.post("/similar")
@login_required
def check_similar():
    """The duplicate warning, asked while the clerk types (htmx)."""
    body, _rows = read_form(request.form)
    return render_template("partials/similar.html", similar=duplicates(body))
