"""Official registers and reports (sổ sách, báo cáo theo biểu mẫu): printable pages (PDF by the browser's
print) and the XLSX/CSV files the services make, for any official period or range of days.

These are official Vietnamese documents: their pages are in Vietnamese only (not in the translation catalog)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from . import charts, labels
from .auth import login_required
from .gateway import api, get
from .timekeeping import today_local

bp = Blueprint("official", __name__, url_prefix="/official")

DOCUMENTS = {
    # key: (gateway path, Vietnamese name, record page endpoint)
    "register": ("/intake/official/register", "Sổ tiếp công dân", "register.visit"),
    "petitions-book": ("/intake/official/petitions-book", "Sổ theo dõi đơn", "petition_page.detail"),
}
FORMS = {
    "reception": "Tổng hợp kết quả tiếp công dân (Biểu 01/TCD)",
    "handling": "Tổng hợp kết quả xử lý đơn (Biểu 02/XLĐ)",
    "complaint_resolution": "Tổng hợp kết quả giải quyết khiếu nại (Biểu 03/KQGQ)",
    "denunciation_resolution": "Tổng hợp kết quả giải quyết tố cáo (Biểu 04/KQGQ)",
}
PERIOD_KEYS = ("period", "year", "number", "from", "to", "unit", "include_predecessors")
SIGN_KEYS = ("doc_number", "preparer", "signer", "signer_title")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query(*extra: str) -> dict:
    """The period (and signature) asked for on this page, as the services read it."""
    args = {k: request.args.get(k) for k in PERIOD_KEYS + extra if request.args.get(k)}
    if "period" not in args and "from" not in args:  # this year so far by default
        today = today_local()
        args.update({"period": "ad_hoc", "from": today.replace(month=1, day=1).isoformat(), "to": today.isoformat()})
    return args


def _problem(answer) -> str:
    fields = ", ".join(e.get("field", "") for e in answer.field_errors)
    return labels.status_message(answer.status) + (f" ({fields})" if fields else "")


@bp.get("")
@login_required
def index():
    """Choose a document, its period and unit."""
    today = today_local()
    periods = get("/intake/official/periods", year=request.args.get("year") or today.year)
    return render_template(
        "official/index.html",
        forms=FORMS,
        documents=DOCUMENTS,
        today=today,
        periods=periods.data.get("items", []) if periods.ok else [],
        args=request.args,
    )


@bp.get("/documents/<key>")
@login_required
def document(key):
    """The register or the petitions book, printable (identities as the officer may read them)."""
    if key not in DOCUMENTS:
        abort(404)
    path, name, endpoint = DOCUMENTS[key]
    answer = get(path, **_query(*SIGN_KEYS))
    if not answer.ok:
        return render_template("official/error.html", title=name, why=_problem(answer)), 200
    return render_template(
        "official/document.html", doc=answer.data, key=key, name=name, endpoint=endpoint, query=_query(*SIGN_KEYS)
    )


@bp.get("/reports/<form>")
@login_required
def report(form):
    """A report in its official form, printable; every figure opens to the records behind it."""
    if form not in FORMS:
        abort(404)
    answer = get(f"/intake/official/reports/{form}", records="false", **_query(*SIGN_KEYS))
    if not answer.ok:
        return render_template("official/error.html", title=FORMS[form], why=_problem(answer)), 200
    return render_template(
        "official/report.html", report=answer.data, form=form, query=_query(*SIGN_KEYS), figures=figures(answer.data)
    )


def figures(report: dict) -> list:
    """A bar chart per group of columns of the total row (what people would rather look at than read)."""
    total = {c["column"]: c["value"] for c in report["rows"][-1]["cells"]} if report.get("rows") else {}
    out, groups = [], {}
    for column in report.get("columns", []):
        groups.setdefault(column["group"], []).append(column)
    for group, columns in groups.items():
        bars = [(" · ".join(x for x in (c.get("subgroup"), c["name"]) if x), total.get(c["key"], 0)) for c in columns]
        if any(value for _label, value in bars):
            out.append((group, charts.bar_chart(bars, title=group)))
    return out


@bp.get("/reports/<form>/records")
@login_required
def records(form):
    """The records behind one figure of a report (register numbers, linked to their pages)."""
    if form not in FORMS:
        abort(404)
    answer = get(f"/intake/official/reports/{form}", **_query())
    if not answer.ok:
        return render_template("official/error.html", title=FORMS[form], why=_problem(answer)), 200
    data = answer.data
    column = next((c for c in data["columns"] if c["key"] == request.args.get("column")), None)
    row = next((r for r in data["rows"] if (r["unit"] or "") == request.args.get("row", "")), None)
    if column is None or row is None:
        abort(404)
    cell = next(c for c in row["cells"] if c["column"] == column["key"])
    endpoint = "register.visit" if data["record_type"] == "visit" else "petition_page.detail"
    return render_template(
        "official/records.html",
        report=data,
        column=column,
        row=row,
        cell=cell,
        endpoint=endpoint,
        form=form,
        query=_query(),
    )


@bp.get("/plan363")
@login_required
def plan363():
    """The Plan 363 list of backlogged, complex, prolonged cases, printable; open cases can be added."""
    answer = get(
        "/escalation/cases/plan363", progress=request.args.get("progress"), overdue=request.args.get("overdue")
    )
    if not answer.ok:
        return render_template("official/error.html", title="Danh sách theo Kế hoạch 363", why=_problem(answer)), 200
    listed = {e["case_id"] for e in answer.data}
    open_cases = get("/escalation/cases", status="open", limit=500)
    candidates = [c for c in (open_cases.data if open_cases.ok else []) if c["id"] not in listed]
    return render_template(
        "official/plan363.html",
        entries=answer.data,
        args=request.args,
        candidates=sorted(candidates, key=lambda c: (not c.get("complex"), c["number"])),
    )


PLAN363_FIELDS = (
    "source",
    "review_result",
    "plan_agreed_on",
    "plan_summary",
    "agreed_deadline",
    "lead_agency",
    "progress",
    "note",
)


@bp.route("/plan363/<case_id>", methods=["GET", "POST"])
@login_required
def plan363_entry(case_id):
    """Put a case on the Plan 363 list or change its entry; its history below."""
    if case_id == "_" and request.args.get("case"):  # chosen on the list page
        return redirect(url_for("official.plan363_entry", case_id=request.args["case"]))
    case = get(f"/escalation/cases/{case_id}")
    if not case.ok:
        abort(404)
    errors = []
    if request.method == "POST":
        form = request.form
        body = {name: (form.get(name) or None) for name in PLAN363_FIELDS}
        body["source"] = body["source"] or "local"
        body["progress"] = body["progress"] or "not_started"
        body["on_central_list"] = form.get("on_central_list") == "true"
        body["plan_agreed"] = bool(body["plan_agreed_on"])
        if (form.get("version") or "").isdigit():
            body["version"] = int(form["version"])
        saved = api("PUT", f"/escalation/cases/{case_id}/plan363", json=body)
        if saved.ok:
            flash("Đã lưu vào danh sách theo Kế hoạch 363.", "success")
            return redirect(url_for("official.plan363_entry", case_id=case_id))
        errors = saved.field_errors or [{"field": "", "message": _problem(saved)}]
    entry = get(f"/escalation/cases/{case_id}/plan363")
    return render_template(
        "official/plan363_entry.html",
        case=case.data,
        entry=entry.data if entry.ok else None,
        errors=errors,
        form=request.form if errors else None,
    )


DOWNLOADS = {
    # key: (gateway path, file format, mimetype)
    "register": ("/intake/official/register", "xlsx", XLSX),
    "petitions-book": ("/intake/official/petitions-book", "xlsx", XLSX),
    "national": ("/intake/official/national-export", "csv", "text/csv"),
    "plan363": ("/escalation/cases/plan363", "xlsx", XLSX),
}


@bp.get("/download/<key>")
@login_required
def download(key):
    """A file made by the service, passed through (XLSX, or CSV for the national database)."""
    form = request.args.get("form")
    if key == "report" and form in FORMS:
        path, fmt, mimetype = f"/intake/official/reports/{form}", "xlsx", XLSX
    elif key in DOWNLOADS:
        path, fmt, mimetype = DOWNLOADS[key]
    else:
        abort(404)
    if key == "plan363":  # the list as it stands today: no period
        params = {k: request.args[k] for k in (*SIGN_KEYS, "unit") if request.args.get(k)}
    else:
        params = _query(*SIGN_KEYS)
    params["format"] = fmt
    answer = api("GET", path, raw=True, params=params)
    if not answer.ok or not answer.content:
        flash(f"Chưa xuất được tệp: {_problem(answer)}", "error")
        return redirect(url_for("official.index"))
    disposition = answer.headers.get("Content-Disposition") or f'attachment; filename="{key}.{fmt}"'
    return Response(answer.content, mimetype=mimetype, headers={"Content-Disposition": disposition})
