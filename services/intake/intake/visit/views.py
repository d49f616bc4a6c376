"""HTTP endpoints of the reception register."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from . import export, service
from .schemas import (
    ExportQuery,
    VisitIn,
    VisitOut,
    VisitPage,
    VisitPeriodQuery,
    VisitQuery,
    VisitStatistics,
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
    return service.create(db_session=db_session(), identity=current_identity(), data=data)


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
@blp.response(200, VisitOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_visit(visit_id):
    """One visit; identity:read callers see the citizens unmasked, and that read is audited."""
    session, identity = db_session(), current_identity()
    visit = service.get(db_session=session, identity=identity, visit_id=visit_id)
    return service.present(db_session=session, identity=identity, visit=visit, unmasked=True)
