"""The register (sổ tiếp công dân): search, filters, one record's full history, export to XLSX."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tiepdan_common.clock import LOCAL

from . import labels, reference
from .auth import can, login_required
from .formatting import parse_day
from .gateway import api, get, post
from .timekeeping import now_local, today_local

bp = Blueprint("register", __name__, url_prefix="/register")

FILTERS = ("category", "field", "unit", "outcome", "mass", "repeat", "q")
PAGE_SIZE = 25
EXPORT_PATH = "/intake/visits/export"
EXPORT_KEYS = ("from", "to", "category", "field", "unit", "outcome", "mass")


def _day_bound(value: str | None, *, end: bool) -> str | None:
    """A local calendar day (YYYY-MM-DD) as the UTC instant that starts it (or the next day, for ``end``)."""
    day = parse_day(value)
    if day is None:
        return None
    if end:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LOCAL).isoformat()


def api_query(args) -> dict:
    """The register's query parameters for the API, from the page's filters."""
    query = {key: args.get(key) for key in FILTERS if args.get(key)}
    for flag in ("mass", "repeat"):
        if flag in query:
            query[flag] = "true" if query[flag] in ("1", "true", "on") else "false"
    query["from"] = _day_bound(args.get("from"), end=False)
    query["to"] = _day_bound(args.get("to"), end=True)
    return {k: v for k, v in query.items() if v}


@bp.get("")
@login_required
def register():
    """A page of the register with the filters the clerk chose."""
    query = api_query(request.args)
    answer = get("/intake/visits", limit=PAGE_SIZE, cursor=request.args.get("cursor"), **query)
    error = None if answer.ok else labels.status_message(answer.status)
    if answer.status == 422 and answer.field_errors:
        error = "; ".join(
            f"{labels.field_label(e.get('field', ''))}: {labels.field_message(e.get('message', ''))}"
            for e in answer.field_errors
        )
    data = answer.data if answer.ok and isinstance(answer.data, dict) else {"items": [], "next_cursor": None}
    communes, _s = reference.communes()
    fields, _s = reference.fields()
    args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    return render_template(
        "register.html",
        items=data.get("items", []),
        next_cursor=data.get("next_cursor"),
        error=error,
        args=args,
        communes=communes,
        fields=fields,
        unit_name=reference.unit_name,
        field_name=reference.field_name,
    )


def cases_of(visit: dict) -> list[dict]:
    """The cases this visit opened or joined, as escalation records them (asked by the visit, not scanned)."""
    listed = get("/escalation/cases", source_type="visit", source_id=visit["id"], limit=5)
    if not listed.ok or not isinstance(listed.data, list):
        return []
    found = []
    for case in listed.data:
        detail = get(f"/escalation/cases/{case['id']}")
        if detail.ok and isinstance(detail.data, dict):
            found.append(detail.data)
    return found


@bp.get("/<visit_id>")
@login_required
def visit(visit_id):
    """One record with its full history: the desk, the case it opened or joined, and what followed."""
    answer = get(f"/intake/visits/{visit_id}")
    if not answer.ok:
        return render_template(
            "visit.html", visit=None, error=labels.status_message(answer.status), cases=[]
        ), answer.status if answer.status >= 400 else 502
    visit = answer.data
    versions = get(f"/intake/visits/{visit_id}/history")
    history = versions.data if versions.ok and isinstance(versions.data, list) else []
    return render_template(
        "visit.html",
        visit=visit,
        cases=cases_of(visit),
        error=None,
        history=history,
        editable=can("visits:write"),
        unit_name=reference.unit_name,
        field_name=reference.field_name,
    )


@bp.post("/find")
@login_required
def find_citizen():
    """A returning citizen's visits by full name, identity number or phone (posted: no identity in a URL)."""
    person = {k: (request.form.get(k) or "").strip() or None for k in ("full_name", "id_number", "phone")}
    person = {k: v for k, v in person.items() if v}
    error = None
    items: list = []
    if not person:
        error = _("Nhập họ tên, số CCCD hoặc số điện thoại của công dân.")
    else:
        answer = post("/intake/visits/find-citizen", json={**person, "limit": 50})
        if answer.ok and isinstance(answer.data, dict):
            items = answer.data.get("items") or []
        elif answer.field_errors:
            error = "; ".join(
                f"{labels.field_label(e.get('field', ''))}: "
                f"{labels.field_message(e.get('message', ''), e.get('field'))}"
                for e in answer.field_errors
            )
        else:
            error = labels.status_message(answer.status)
    communes, _s = reference.communes()
    fields, _s = reference.fields()
    return render_template(
        "register.html",
        items=items,
        next_cursor=None,
        error=error,
        args={},
        found=person,
        communes=communes,
        fields=fields,
        unit_name=reference.unit_name,
        field_name=reference.field_name,
    )


@bp.get("/export.xlsx")
@login_required
def export():
    """The register for the chosen filters as an XLSX file made by intake, passed through."""
    query = {k: v for k, v in api_query(request.args).items() if k in EXPORT_KEYS}
    today = today_local()
    query.setdefault("from", _day_bound(today.replace(day=1).isoformat(), end=False))
    query.setdefault("to", _day_bound(today.isoformat(), end=True))
    answer = api("GET", EXPORT_PATH, raw=True, params={**query, "format": "xlsx"})
    if not answer.ok or not answer.content:
        flash(_("Chưa xuất được sổ ra Excel: %(why)s", why=labels.status_message(answer.status)), "error")
        return redirect(url_for("register.register", **{k: v for k, v in request.args.items() if v}))
    stamp = now_local().strftime("%Y%m%d-%H%M")
    return Response(
        answer.content,
        mimetype=answer.headers.get(
            "Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        headers={"Content-Disposition": f'attachment; filename="so-tiep-cong-dan-{stamp}.xlsx"'},
    )
