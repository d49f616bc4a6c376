"""Province requests over HTTP: the province files and reads its own; the district follows them through."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from ..database import IdempotencyRecord
from ..roster import officers_now
from . import flows, service
from .schemas import AssignIn, CompleteIn, DispatchIn, RequestIn, RequestOut, RequestQuery, ReturnedIn

blp = Blueprint(
    "province_requests",
    __name__,
    url_prefix="/province-requests",
    description="Requests of the provincial reception office",
)


def _district_request(request_id: str):
    """The request, for a district caller holding cases:write (who follows requests through)."""
    identity = current_identity()
    if not identity.has("cases:write") or identity.kind not in ("district", "admin"):
        raise Problem(403, "Permission 'cases:write' of the district is required.", code="forbidden")
    return service.get(db_session=db_session(), identity=identity, request_id=request_id)


def _actor() -> str:
    identity = current_identity()
    return identity.officer or identity.subject


@blp.post("")
@require("province_requests:write")
@transactional(IdempotencyRecord)
@blp.arguments(RequestIn)
@blp.response(201, RequestOut)
@blp.alt_response(422, schema=ProblemSchema)
def receive(data):
    """The province asks the district to bring its citizens home: a case is opened (or joined) at once."""
    return flows.receive(
        db_session=db_session(),
        identity=current_identity(),
        group_size=data["group_size"],
        place=data["place"],
        contact=data["contact"],
        deadline=data["deadline"],
        unit=data["unit"],
        field_code=data["field"],
        reference_code=data["reference"],
        note=data["note"],
        reference_dir=current_settings().reference_dir,
        now=now(),
    )


@blp.get("")
@require("province_requests:read")
@blp.arguments(RequestQuery, location="query")
@blp.response(200, RequestOut(many=True))
def list_requests(query):
    """Requests, newest first; the province sees only its own."""
    return service.list_requests(db_session=db_session(), identity=current_identity(), **query)


@blp.get("/<request_id>")
@require("province_requests:read")
@blp.response(200, RequestOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_request(request_id):
    """One request (another province's answers 404)."""
    return service.get(db_session=db_session(), identity=current_identity(), request_id=request_id)


@blp.post("/<request_id>/assign")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(AssignIn)
@blp.response(200, RequestOut)
@blp.alt_response(422, schema=ProblemSchema)
@blp.alt_response(503, schema=ProblemSchema)
def assign(data, request_id):
    """Assign the inspectorate, the board and the commune."""
    assignees = {k: v for k, v in data.items() if v}
    if not assignees:
        raise Problem(
            422,
            "body: name at least one of inspectorate, board, commune",
            errors=[{"field": "body", "message": "name at least one assignee"}],
        )
    request = _district_request(request_id)
    return service.assign(
        db_session=db_session(),
        request=request,
        assignees=assignees,
        officers=officers_now(),
        actor=_actor(),
        now=now(),
    )


@blp.post("/<request_id>/dispatch")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(DispatchIn)
@blp.response(200, RequestOut)
@blp.alt_response(422, schema=ProblemSchema)
@blp.alt_response(503, schema=ProblemSchema)
def dispatch(data, request_id):
    """Record who was sent to bring the citizens home."""
    request = _district_request(request_id)
    return service.dispatch(
        db_session=db_session(),
        request=request,
        officers=data["officers"],
        roster=officers_now(),
        actor=_actor(),
        now=now(),
    )


@blp.post("/<request_id>/returned")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(ReturnedIn)
@blp.response(200, RequestOut)
@blp.alt_response(422, schema=ProblemSchema)
def returned(data, request_id):
    """Record when the citizens were back home."""
    return flows.returned(
        db_session=db_session(),
        request=_district_request(request_id),
        returned_at=data["returned_at"],
        actor=_actor(),
        now=now(),
    )


@blp.post("/<request_id>/complete")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(CompleteIn)
@blp.response(200, RequestOut)
def complete(data, request_id):
    """Complete the request with its outcome; the province is told."""
    return service.complete(
        db_session=db_session(),
        request=_district_request(request_id),
        outcome=data["outcome"],
        actor=_actor(),
        now=now(),
    )
