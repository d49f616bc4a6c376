"""HTTP endpoints of the reception register."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from . import create, export, finder, history, service
from .schemas import (
    CorrectionIn,
    ExportQuery,
    FindCitizenIn,
    VisitIn,
    VisitOut,
    VisitPage,
    VisitPeriodQuery,
    VisitQuery,
    VisitReadQuery,
    VisitStatistics,
    VisitVersionOut,
    VoidIn,
)

blp = Blueprint("visits", __name__, url_prefix="/visits", description="Reception visits (lượt tiếp)")


@blp.route("", methods=["POST"])
@require("visits:write")
@transactional(IdempotencyRecord)
@blp.arguments(VisitIn())  # one instance for every request: webargs would build one per request from the class
@blp.response(201, VisitOut)
@blp.alt_response(422, schema=ProblemSchema, description="Invalid input, naming the field")
def create_visit(data):
    """Record a visit at a district or commune desk (accepts Idempotency-Key); citizens come back masked."""
    return create.create(db_session=db_session(), identity=current_identity(), data=data)


@blp.route("", methods=["GET"])
@require("visits:read")
@blp.arguments(VisitQuery, location="query")
@blp.response(200, VisitPage)
def list_visits(query):
    """The register with filters, search, sorting and a keyset cursor; citizens masked."""
    items, next_cursor = service.list_page(db_session=db_session(), identity=current_identity(), query=query)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/export", methods=["GET"])
@require("visits:read")
@blp.arguments(ExportQuery, location="query")
@blp.response(200, description="The register of the period as CSV or XLSX, Vietnamese headers")
def export_visits(query):
    """Download the register of a period (sổ tiếp công dân) as CSV or XLSX."""
    return export.register(db_session=db_session(), identity=current_identity(), query=query)


@blp.route("/statistics", methods=["GET"])
@require("visits:read")
@blp.arguments(VisitPeriodQuery, location="query")
@blp.response(200, VisitStatistics)
def visit_statistics(query):
    """Counts of visits in a period by category, field, unit and outcome."""
    return service.statistics(db_session=db_session(), identity=current_identity(), query=query)


@blp.route("/<visit_id>", methods=["GET"])
@require("visits:read")
@transactional()
@blp.arguments(VisitReadQuery, location="query")
@blp.response(200, VisitOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_visit(query, visit_id):
    """One visit; identity:read callers see the citizens unmasked, and that read is audited. At a visit where a
    denunciation was handed in, only with an assignment to it or a stated ``purpose``."""
    session, identity = db_session(), current_identity()
    visit = service.get(db_session=session, identity=identity, visit_id=visit_id)
    return service.read(db_session=session, identity=identity, visit=visit, purpose=query["purpose"])


@blp.route("/find-citizen", methods=["POST"])
@require("visits:read")
@blp.arguments(FindCitizenIn)
@blp.response(200, VisitPage)
def find_citizen(data):
    """The visits of a returning citizen found by full name, identity number or phone (blind indexes; the
    identity stays in the body and encrypted at rest); newest first, citizens masked."""
    ids = finder.matching_visits(full_name=data["full_name"], id_number=data["id_number"], phone=data["phone"])
    items, _ = service.list_page(
        db_session=db_session(),
        identity=current_identity(),
        query={"ids": ids, "limit": data["limit"], "sort": "-received_at"},
    )
    return {"items": items, "next_cursor": None}


@blp.route("/<visit_id>", methods=["PATCH"])
@require("visits:write")
@transactional()
@blp.arguments(CorrectionIn)
@blp.response(200, VisitOut)
@blp.alt_response(409, schema=ProblemSchema, description="Voided, or corrected by someone else since `version`")
def correct_visit(data, visit_id):
    """Correct a visit with a reason; the version before is kept in its history."""
    session, identity = db_session(), current_identity()
    visit = history.correct(db_session=session, identity=identity, visit_id=visit_id, data=data)
    return service.present(db_session=session, identity=identity, visit=visit, unmasked=False)


@blp.route("/<visit_id>/void", methods=["POST"])
@require("visits:write")
@transactional()
@blp.arguments(VoidIn)
@blp.response(200, VisitOut)
def void_visit(data, visit_id):
    """Void a visit recorded in error, with a reason; it stays readable with its history."""
    session, identity = db_session(), current_identity()
    visit = history.void(
        db_session=session, identity=identity, visit_id=visit_id, reason=data["reason"], version=data["version"]
    )
    return service.present(db_session=session, identity=identity, visit=visit, unmasked=False)


@blp.route("/<visit_id>/history", methods=["GET"])
@require("visits:read")
@blp.response(200, VisitVersionOut(many=True))
def visit_history(visit_id):
    """The visit's earlier versions, oldest first, each with who changed it, when and why."""
    session = db_session()
    service.get(db_session=session, identity=current_identity(), visit_id=visit_id)
    return history.versions(db_session=session, visit_id=visit_id)
