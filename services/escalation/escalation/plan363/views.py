"""The Plan 363 list over HTTP: a case's entry and its history, the list as JSON, CSV or XLSX."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from tiepdan_common.clock import local
from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import CSV, XLSX, ProblemSchema, json_or_files
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from .. import reference
from ..access import restricted
from ..case import service as cases
from ..unit import service as units
from . import document
from . import service as plan363
from .models import Plan363Entry
from .schemas import ListQuery, Plan363Detail, Plan363In, Plan363Out

blp = Blueprint(
    "plan363",
    __name__,
    url_prefix="/cases",
    description="The Plan 363/KH-TTCP list of backlogged, complex, prolonged cases",
)


def _allowed():
    identity = current_identity()
    if restricted(identity):
        raise Problem(403, "The Plan 363 list is for the district and the communes.", code="forbidden")
    return identity


@blp.route("/plan363", methods=["GET"])
@require("cases:read")
@blp.arguments(ListQuery, location="query")
@blp.doc(**json_or_files("Plan363Out", CSV, XLSX, many=True))
@blp.response(200, Plan363Out(many=True))
@blp.alt_response(403, schema=ProblemSchema)
def plan363_list(query):
    """The Plan 363 list: JSON, or as the province asks for it (XLSX with heading and signature, or CSV)."""
    identity, session, moment = _allowed(), db_session(), now()
    today = local(moment).date()
    entries = [
        plan363.present(c, e, today=today)
        for c, e in plan363.listing(db_session=session, identity=identity, query=query, today=today)
    ]
    if query["format"] == "json":
        return entries
    folder = current_settings().reference_dir
    histories = {}
    for change in plan363.history_of(db_session=session, case_ids=[e["case_id"] for e in entries]):
        histories.setdefault(change.case_id, []).append(change)
    data = document.rows(
        entries,
        histories,
        unit_name=units.unit_name,
        field_name=lambda code: reference.field(folder, code)["name_vi"],
    )
    stamp = f"{today:%Y%m%d}"
    if query["format"] == "csv":
        return Response(
            document.to_csv(data),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="ke-hoach-363_{stamp}.csv"'},
        )
    head = document.heading(
        units.in_request(),
        unit=query["unit"] or identity.unit or "",
        on=today,
        number=query["doc_number"],
        symbol="BC-UBND",
    )
    body = document.to_xlsx(data, head=head, signer=query["signer"], signer_title=query["signer_title"])
    return Response(
        body, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="ke-hoach-363_{stamp}.xlsx"'}
    )


@blp.route("/<case_id>/plan363", methods=["PUT"])
@require("cases:write")
@transactional()
@blp.arguments(Plan363In)
@blp.response(200, Plan363Detail)
@blp.alt_response(404, schema=ProblemSchema)
@blp.alt_response(409, schema=ProblemSchema, description="Changed since the version read")
def plan363_put(data, case_id):
    """Put a case on the Plan 363 list or change its entry (central list, plan agreed, deadline, progress)."""
    identity, session, moment = _allowed(), db_session(), now()
    case = cases.get(db_session=session, identity=identity, case_id=case_id)
    entry = plan363.put(db_session=session, identity=identity, case=case, data=data, now=moment)
    return _detail(session, identity, case_id, entry, moment)


@blp.route("/<case_id>/plan363", methods=["GET"])
@require("cases:read")
@blp.response(200, Plan363Detail)
@blp.alt_response(404, schema=ProblemSchema)
def plan363_get(case_id):
    """A case's Plan 363 entry with its status history."""
    identity, session = _allowed(), db_session()
    entry = session.get(Plan363Entry, case_id)
    if entry is None:
        raise Problem(404, "The case is not on the Plan 363 list.", code="not_found")
    return _detail(session, identity, case_id, entry, now())


def _detail(session, identity, case_id, entry, moment):
    case = cases.get(db_session=session, identity=identity, case_id=case_id)
    return {
        **plan363.present(case, entry, today=local(moment).date()),
        "history": plan363.history(db_session=session, case_id=case_id),
    }
