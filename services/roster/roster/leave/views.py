"""Leave and unavailability over HTTP."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common import web
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from . import service
from .schemas import LeaveIn, LeaveOut, LeaveQuery, LeaveRecorded

blp = Blueprint("leave", __name__, description="Leave and unavailability of officers")


@blp.post("/officers/<code>/leave")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(LeaveIn)
@blp.response(201, LeaveRecorded)
@blp.alt_response(404, schema=ProblemSchema)
def record_leave(data, code):
    """Record leave or sickness; by default the officer's shifts in it are handed to others of the same pool."""
    leave, covered = service.record(
        db_session=db_session(), officer_code=code, actor=current_identity().subject, now=web.now(), **data
    )
    return {"leave": leave, "covered": covered}


@blp.get("/leave")
@require("roster:read")
@blp.arguments(LeaveQuery, location="query")
@blp.response(200, LeaveOut(many=True))
def list_leave(query):
    """Leave, optionally of one officer and overlapping a range."""
    return service.list_leave(db_session=db_session(), **query)


@blp.delete("/leave/<int:leave_id>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema)
def cancel_leave(leave_id):
    """Withdraw leave."""
    service.cancel(db_session=db_session(), leave_id=leave_id, actor=current_identity().subject, now=web.now())
