"""Tasks of a case over HTTP: create (title, owner officer, due time), list, mark done. District and communes
only: a task's title is an officer's words."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, now, require

from ..access import restricted
from ..case import service as cases
from ..database import IdempotencyRecord
from ..roster import officers_now
from . import service
from .schemas import TaskIn, TaskOut, TaskQuery

blp = Blueprint("tasks", __name__, url_prefix="/cases", description="Tasks on a case (việc cần làm)")


def _case(case_id: str):
    identity = current_identity()
    if restricted(identity):
        raise Problem(403, "Tasks are not shown to police and province callers.", code="forbidden")
    return cases.get(db_session=db_session(), identity=identity, case_id=case_id)


def _actor() -> str:
    identity = current_identity()
    return identity.officer or identity.subject


@blp.get("/<case_id>/tasks")
@require("cases:read")
@blp.arguments(TaskQuery, location="query")
@blp.response(200, TaskOut(many=True))
def list_tasks(query, case_id):
    """The case's tasks by due time (``overdue`` tells an open one past due)."""
    return service.for_case(db_session=db_session(), case=_case(case_id), status=query["status"])


@blp.post("/<case_id>/tasks")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(TaskIn)
@blp.response(201, TaskOut)
@blp.alt_response(422, schema=ProblemSchema)
@blp.alt_response(503, schema=ProblemSchema)
def create_task(data, case_id):
    """Add a task: a title, an owner (an officer of the roster) and a due time."""
    case = _case(case_id)
    return service.create(
        db_session=db_session(), case=case, officers=officers_now(), actor=_actor(), now=now(), **data
    )


@blp.post("/<case_id>/tasks/<task_id>/done")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.response(200, TaskOut)
@blp.alt_response(409, schema=ProblemSchema)
def mark_done(case_id, task_id):
    """Mark the task done."""
    return service.done(db_session=db_session(), case=_case(case_id), task_id=task_id, actor=_actor(), now=now())
