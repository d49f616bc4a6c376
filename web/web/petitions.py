"""Petitions (đơn): register one however it came, the book with its filters, and what falls due.

Registering keeps the desk's habits: the form is read back into the API's body, the API's
validation errors land next to their inputs in the clerk's words, and nothing typed is lost. About 300
lines: the form, the book and the due list share the petition's readers, and a petition's page is apart.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels, reference
from .auth import can, login_required
from .formatting import days_left, parse_day, parse_local
from .gateway import get, post
from .register import _day_bound
from .timekeeping import now_local

bp = Blueprint("petitions", __name__, url_prefix="/petitions")

PATH = "/intake/petitions"
SENDER_FIELDS = ("full_name", "address", "id_number", "phone")
DEFAULT_ROWS, MAX_ROWS = 2, 40
FILTERS = ("q", "status", "category", "channel", "field", "unit", "overdue")
PAGE_SIZE = 25
DUE_SOON_DAYS = 7
# The states a petition is still being handled in (a deadline there is a duty, not history).
OPEN_STATES = ("received", "accepted", "temporarily_suspended", "inspection")


def rows_of(form) -> int:
    value = str(form.get("rows") or "")
    return min(int(value), MAX_ROWS) if value.isdigit() and int(value) > 0 else DEFAULT_ROWS


def read_form(form) -> tuple[dict, list[int]]:
    """The API body of a new petition from the form, and the form row of each sender sent."""
    senders, row_of = [], []
    anonymous = form.get("anonymous") == "on"
    for i in range(rows_of(form)):
        person = {k: (form.get(f"senders-{i}-{k}") or "").strip() or None for k in SENDER_FIELDS}
        if anonymous or not any(person.values()):
            continue
        person["full_name"] = person["full_name"] or ""
        person["is_representative"] = form.get(f"senders-{i}-is_representative") == "on"
        senders.append({k: v for k, v in person.items() if v is not None})
        row_of.append(i)
    channel = form.get("channel") or None
    text = {
        k: (form.get(k) or "").strip() or None
        for k in (
            "category",
            "field",
            "origin_unit",
            "subject",
            "content",
            "prior_handling",
            "citizen_request",
            "violator",
            "evidence",
            "forwarded_by",
            "letter_number",
            "letter_date",
            "visit_id",
        )
    }
    body = {
        "channel": channel,
        "category": text["category"],
        "field": text["field"],
        "origin_unit": text["origin_unit"],
        "subject": text["subject"],
        "content": text["content"],
        "prior_handling": text["prior_handling"],
        "citizen_request": text["citizen_request"],
        "anonymous": anonymous,
        "senders": senders,
    }
    if form.get("second_time") == "on":
        body["complaint_round"] = 2
    if anonymous and text["category"] == "denunciation":
        body.update(verifiable=form.get("verifiable") == "on", violator=text["violator"], evidence=text["evidence"])
    if text["category"] == "denunciation" and form.get("multi_site") == "on":
        body["multi_site"] = True
    if channel == "forwarded":
        body["forwarded_by"] = forwarded_by(text["forwarded_by"], text["letter_number"], text["letter_date"])
    if channel == "visit":
        body["visit_id"] = text["visit_id"]
    received = parse_local(form.get("received_at"))
    if received:
        body["received_at"] = received.isoformat()
    elif (form.get("received_at") or "").strip():
        body["received_at"] = form.get("received_at").strip()
    return {k: v for k, v in body.items() if v is not None}, row_of


def forwarded_by(body: str | None, number: str | None, day: str | None) -> str | None:
    """The forwarding body with its letter, as the petitions book writes it: «Sở TN&MT (CV số 12/STNMT, 20/11/2026)»."""
    if not body:
        return None
    letter = []
    if number:
        letter.append(_("công văn số %(n)s", n=number))
    parsed = parse_day(day)
    if parsed or day:
        letter.append(_("ngày %(d)s", d=parsed.strftime("%d/%m/%Y") if parsed else day))
    return f"{body} ({', '.join(letter)})" if letter else body


def errors_by_input(errors: list[dict], row_of: list[int]) -> dict[str, str]:
    """The API's errors keyed by the form's inputs (``senders[1].phone`` is ``senders-<row>-phone``)."""
    out: dict[str, str] = {}
    for error in errors:
        field = error.get("field") or "body"
        name = field
        if field.startswith("senders[") and "]." in field:
            index, _sep, attr = field[len("senders[") :].partition("].")
            row = row_of[int(index)] if index.isdigit() and int(index) < len(row_of) else 0
            name = f"senders-{row}-{attr}"
        out.setdefault(name, labels.field_message(error.get("message", ""), field))
    return out


def _form_page(form=None, errors=None, message=None, status=200):
    communes, _s = reference.communes()
    fields, _s = reference.fields()
    form = form or {}
    errors = errors or {}
    error_list = [(name, labels.petition_field_label(name), text) for name, text in errors.items()]
    return render_template(
        "petition_new.html",
        form=form,
        errors=errors,
        error_list=error_list,
        message=message,
        rows=rows_of(form),
        communes=communes,
        fields=fields,
        idempotency_key=form.get("idempotency_key") or uuid.uuid4().hex,
        now_local=now_local().strftime("%d/%m/%Y %H:%M"),
    ), status


@bp.get("/new")
@login_required
def new():
    """An empty form; from a visit's page, the visit's matter and citizens are filled in."""
    form = {}
    visit_id = request.args.get("visit_id")
    if visit_id:
        answer = get(f"/intake/visits/{visit_id}")
        if answer.ok and isinstance(answer.data, dict):
            visit = answer.data
            form = {
                "channel": "visit",
                "visit_id": visit_id,
                "visit_serial": visit.get("serial"),
                "category": visit.get("category"),
                "field": visit.get("field"),
                "origin_unit": visit.get("origin_unit"),
                "subject": visit.get("subject") or "",
                "content": visit.get("content") or "",
                "rows": str(max(len(visit.get("citizens") or []), 1)),
            }
            for i, c in enumerate(visit.get("citizens") or []):
                if c.get("identity_masked"):
                    continue
                for k in SENDER_FIELDS:
                    form[f"senders-{i}-{k}"] = c.get(k) or ""
                if c.get("is_representative"):
                    form[f"senders-{i}-is_representative"] = "on"
    return _form_page(form)


@bp.post("/new")
@login_required
def create():
    """Add a sender row, or register the petition."""
    form = request.form.to_dict()
    if not can("petitions:write"):
        return _form_page(form, message=labels.status_message(403), status=403)
    if form.get("action") == "add_row":
        form["rows"] = str(min(rows_of(form) + 1, MAX_ROWS))
        form["focus"] = f"senders-{rows_of(form) - 1}-full_name"
        return _form_page(form)
    if form.get("action") == "enter":
        # Enter in a field (without the page's script) checks nothing and saves nothing.
        return _form_page(form, message=_("Đơn chưa được ghi. Nhập xong rồi bấm «Ghi đơn»."))
    body, row_of = read_form(request.form)
    answer = post(PATH, json=body, headers={"Idempotency-Key": form.get("idempotency_key") or uuid.uuid4().hex})
    if answer.ok and isinstance(answer.data, dict):
        petition = answer.data
        parts = petition.get("parts") or []
        flash(_("Đã ghi đơn số %(n)s.", n=petition.get("number")), "success")
        if len(parts) > 1:
            flash(
                _(
                    "Đơn có nhiều nội dung nên đã tách thành %(k)s đơn: %(list)s.",
                    k=len(parts),
                    list=", ".join(p.get("number", "") for p in parts),
                ),
                "info",
            )
        return redirect(url_for("petition_page.detail", petition_id=petition["id"]))
    form["idempotency_key"] = uuid.uuid4().hex
    errors = errors_by_input(answer.field_errors, row_of)
    return _form_page(
        form,
        errors=errors,
        message=labels.status_message(answer.status, answer.problem),
        status=422 if answer.status in (400, 409, 422) else 200,
    )


def api_query(args) -> dict:
    """The book's query parameters for the API, from the page's filters (days are local days)."""
    query = {key: args.get(key) for key in FILTERS if args.get(key)}
    if "overdue" in query:
        query["overdue"] = "true" if query["overdue"] in ("1", "true", "on") else "false"
    query["from"] = _day_bound(str(parse_day(args.get("from")) or ""), end=False)
    query["to"] = _day_bound(str(parse_day(args.get("to")) or ""), end=True)
    if args.get("sort") in ("deadline", "-received_at", "received_at", "number"):
        query["sort"] = args["sort"]
    return {k: v for k, v in query.items() if v}


@bp.get("")
@login_required
def book():
    """The petitions book with filters."""
    answer = get(PATH, limit=PAGE_SIZE, cursor=request.args.get("cursor"), **api_query(request.args))
    data = answer.data if answer.ok and isinstance(answer.data, dict) else {"items": [], "next_cursor": None}
    error = None if answer.ok else labels.status_message(answer.status)
    if answer.status == 422 and answer.field_errors:
        error = "; ".join(labels.field_message(e.get("message", ""), e.get("field")) for e in answer.field_errors)
    communes, _s = reference.communes()
    fields, _s = reference.fields()
    args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    return render_template(
        "petitions.html",
        items=data.get("items", []),
        next_cursor=data.get("next_cursor"),
        error=error,
        args=args,
        communes=communes,
        fields=fields,
        unit_name=reference.unit_name,
        field_name=reference.field_name,
    )


DUE_PATH = "/intake/petitions/due"


def due_lists(limit: int = 100) -> dict:
    """Overdue petitions, and those due within a week, each with its days left (intake's due list).

    With an intake that has no due list, the book's overdue filter and its deadline order stand in.
    """
    listed = get(DUE_PATH, within=DUE_SOON_DAYS)
    if listed.ok and isinstance(listed.data, dict):
        items = [{**p, "id": p.get("petition_id") or p.get("id")} for p in listed.data.get("items") or []]
        return {
            "overdue": [p for p in items if p.get("overdue") or (p.get("days_left") or 0) < 0][:limit],
            "soon": [p for p in items if not (p.get("overdue") or (p.get("days_left") or 0) < 0)][:limit],
            "error": None,
        }
    overdue = get(PATH, overdue="true", sort="deadline", limit=limit)
    upcoming = get(PATH, overdue="false", sort="deadline", limit=limit)
    error = (
        None
        if overdue.ok and upcoming.ok
        else labels.status_message(overdue.status if not overdue.ok else upcoming.status)
    )
    late = [{**p, "days_left": days_left(p.get("deadline"))} for p in _items(overdue)]
    soon = [
        {**p, "days_left": days_left(p.get("deadline"))}
        for p in _items(upcoming)
        if p.get("deadline") and p.get("status") in OPEN_STATES
    ]
    soon = [p for p in soon if p["days_left"] is not None and 0 <= p["days_left"] <= DUE_SOON_DAYS]
    return {"overdue": late, "soon": soon, "error": error}


def _items(answer) -> list[dict]:
    return (answer.data or {}).get("items", []) if answer.ok and isinstance(answer.data, dict) else []


@bp.get("/due")
@login_required
def due():
    """What falls due: overdue petitions first, then those due within a week, with days left."""
    return render_template(
        "petitions_due.html",
        due=due_lists(),
        soon_days=DUE_SOON_DAYS,
        unit_name=reference.unit_name,
        field_name=reference.field_name,
    )
