"""HTTP endpoints of the official documents: the register and the petitions book in their official layout,
the periodic and ad hoc reports in the forms' rows and columns, and the national database export."""

from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint

from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import CSV, XLSX, ProblemSchema, json_or_files
from tiepdan_common.web import current_identity, current_settings, db_session, require

from . import national, periods, service
from .schemas import (
    DocumentQuery,
    NationalOut,
    NationalQuery,
    PeriodList,
    ReceptionKindIn,
    ReceptionKindOut,
    RegisterOut,
    ReportOut,
    YearQuery,
)

blp = Blueprint(
    "official",
    __name__,
    url_prefix="/official",
    description="Official registers and reports (sổ sách, báo cáo theo biểu mẫu)",
)

PERMISSION_OF_FORM = {"reception": "visits:read"}


@blp.route("/periods", methods=["GET"])
@require("visits:read")
@blp.arguments(YearQuery, location="query")
@blp.response(200, PeriodList)
@blp.alt_response(422, schema=ProblemSchema)
def list_periods(query):
    """The official reporting periods of a year with their cut-off dates and legal basis."""
    rules = periods.load(current_settings().reference_dir)
    try:
        found = periods.of_year(rules, query["year"])
    except periods.PeriodError as exc:
        raise Problem(
            422, str(exc), code="validation_failed", errors=[{"field": exc.field, "message": str(exc)}]
        ) from exc
    return {"items": [{**p.as_dict(), "number": i} for i, p in enumerate(found)]}


@blp.route("/register", methods=["GET"])
@require("visits:read")
@transactional()
@blp.arguments(DocumentQuery, location="query")
@blp.doc(**json_or_files("RegisterOut", XLSX))
@blp.response(200, RegisterOut, description="JSON, or the XLSX file with format=xlsx")
@blp.alt_response(422, schema=ProblemSchema)
def register(query):
    """The reception register (sổ tiếp công dân) of a period, official layout; identities for identity:read
    (each record shown so is audited), masked for others. JSON or XLSX."""
    data = service.register(db_session=db_session(), identity=current_identity(), query=query, book=False)
    if query["format"] == "xlsx":
        return service.download(service.register_xlsx(data), filename=_name("so-tiep-cong-dan", data))
    return jsonify(RegisterOut().dump(data))  # a Response: the transaction (the audit of reads) is committed


@blp.route("/petitions-book", methods=["GET"])
@require("petitions:read")
@transactional()
@blp.arguments(DocumentQuery, location="query")
@blp.doc(**json_or_files("RegisterOut", XLSX))
@blp.response(200, RegisterOut, description="JSON, or the XLSX file with format=xlsx")
@blp.alt_response(422, schema=ProblemSchema)
def petitions_book(query):
    """The petitions book (sổ theo dõi đơn) of a period, official layout; identities as for the register."""
    data = service.register(db_session=db_session(), identity=current_identity(), query=query, book=True)
    if query["format"] == "xlsx":
        return service.download(service.register_xlsx(data), filename=_name("so-theo-doi-don", data))
    return jsonify(RegisterOut().dump(data))


@blp.route("/reports/<form>", methods=["GET"])
@require("petitions:read")
@blp.arguments(DocumentQuery, location="query")
@blp.doc(**json_or_files("ReportOut", XLSX))
@blp.response(200, ReportOut, description="JSON, or the XLSX file with format=xlsx")
@blp.alt_response(404, schema=ProblemSchema)
@blp.alt_response(422, schema=ProblemSchema)
def report(query, form):
    """A periodic (quarter, six or nine months, year) or ad hoc report in its official form: reception,
    handling, complaint_resolution or denunciation_resolution; every figure with the records behind it."""
    identity = current_identity()
    if form == "reception" and not identity.has("visits:read"):
        raise Problem(403, "Permission 'visits:read' is required.", code="forbidden")
    data = service.report(db_session=db_session(), identity=identity, form_key=form, query=query)
    if query["format"] == "xlsx":
        return service.download(service.report_xlsx(data), filename=_name(f"bao-cao-{form}", data))
    return data


@blp.route("/national-export", methods=["GET"])
@require("petitions:read")
@blp.arguments(NationalQuery, location="query")
@blp.doc(**json_or_files("NationalOut", CSV))
@blp.response(200, NationalOut, description="JSON, or the CSV file with format=csv")
@blp.alt_response(422, schema=ProblemSchema)
def national_export(query):
    """Each visit and petition of the period for the national database (Decree 55/2022): type, eligibility,
    competence and outcome, as JSON (with the fields' documentation) or CSV."""
    identity = current_identity()
    if not identity.has("visits:read"):
        raise Problem(403, "Permission 'visits:read' is required.", code="forbidden")
    period, scope, rows = service.national_rows(db_session=db_session(), identity=identity, query=query)
    if query["format"] == "csv":
        name = f"csdl-quoc-gia_{scope['unit']}_{period.start.isoformat()}_{period.end.isoformat()}.csv"
        return service.download(national.to_csv(rows), filename=name, mimetype="text/csv")
    return {"period": period.as_dict(), "unit": scope["unit"], "fields": national.documentation(), "records": rows}


@blp.route("/visits/<visit_id>/reception-kind", methods=["PUT"])
@require("visits:write")
@transactional()
@blp.arguments(ReceptionKindIn)
@blp.response(200, ReceptionKindOut)
@blp.alt_response(404, schema=ProblemSchema)
def set_reception_kind(data, visit_id):
    """Record that a visit was a leader's periodic (định kỳ) or unscheduled (đột xuất) reception, or regular."""
    return service.set_reception_kind(
        db_session=db_session(), identity=current_identity(), visit_id=visit_id, data=data
    )


def _name(prefix: str, data: dict) -> str:
    period = data["period"]
    return f"{prefix}_{period['start']}_{period['end']}.xlsx"
