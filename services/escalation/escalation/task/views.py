"""Tasks of a case over HTTP: create (title, owner officer, due time), list, mark done. District and communes
only: a task's title is an officer's words."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, now, require

from ..access import restricted
from ..case import service as cases
from ..database import IdempotencyRecord
from ..roster import officers_now
from . import domain, service

blp = Blueprint("tasks", __name__, url_prefix="/cases", description="Tasks on a case (việc cần làm)")


class TaskIn(Schema):
    title = Text(required=True, validate=validate.Length(min=2, max=300))
    owner = Text(
        required=True, validate=validate.Length(min=1, max=40), metadata={"description": "officer code of the roster"}
    )
    due_at = fields.AwareDateTime(required=True)


class TaskOut(Schema):
    id = fields.String()
    case_id = fields.String()
    title = fields.String()
    owner = fields.String()
    due_at = fields.AwareDateTime()
    status = fields.String()
    overdue = fields.Function(lambda t: domain.overdue(status=t.status, due_at=t.due_at, now=now()))
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    done_at = fields.AwareDateTime(allow_none=True)
    done_by = fields.String(allow_none=True)
    reminded_at = fields.AwareDateTime(allow_none=True)


class TaskQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(domain.STATUSES))


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
