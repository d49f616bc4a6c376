"""HTTP endpoints of the reception register."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from . import service
from .schemas import VisitIn, VisitOut, VisitPage, VisitQuery

blp = Blueprint("visits", __name__, url_prefix="/visits", description="Reception visits (lượt tiếp)")


@blp.route("", methods=["POST"])
@require("visits:write")
@transactional(IdempotencyRecord)
@blp.arguments(VisitIn)
@blp.response(201, VisitOut)
@blp.alt_response(422, schema=ProblemSchema, description="Invalid input, naming the field")
def create_visit(data):
    """Record a visit at a district or commune desk (accepts Idempotency-Key)."""
    return service.create(db_session=db_session(), identity=current_identity(), data=data)


@blp.route("", methods=["GET"])
@require("visits:read")
@blp.arguments(VisitQuery, location="query")
@blp.response(200, VisitPage)
def list_visits(query):
    """The register, newest first, with filters and a keyset cursor."""
    items, next_cursor = service.list_page(db_session=db_session(), identity=current_identity(), query=query)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/<visit_id>", methods=["GET"])
@require("visits:read")
@blp.response(200, VisitOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_visit(visit_id):
    """One visit of the register."""
    return service.get(db_session=db_session(), identity=current_identity(), visit_id=visit_id)
