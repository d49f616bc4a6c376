"""The record of deliveries over HTTP: who was told, over which channel, each attempt; retry by hand."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import db_session, now, require

from ..database import IdempotencyRecord
from . import service
from .models import STATUSES

blp = Blueprint("deliveries", __name__, url_prefix="/deliveries", description="Deliveries and their attempts")


class AttemptOut(Schema):
    number = fields.Integer()
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime()
    ok = fields.Boolean()
    provider_answer = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


class DeliveryOut(Schema):
    id = fields.String()
    message_id = fields.String()
    recipient = fields.String()
    channel = fields.String()
    address = fields.String(allow_none=True)
    step = fields.Integer()
    status = fields.String()
    attempts = fields.Integer()
    due_at = fields.AwareDateTime()
    next_attempt_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    provider_answer = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class FailuresOut(Schema):
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "dead (gave up after its attempts), skipped (no address or channel)"},
    )
    unreported = fields.Integer(metadata={"description": "not yet in a stuck-deliveries report to the board"})
    deliveries = fields.List(fields.Nested(DeliveryOut))


class FailuresQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class DeliveryDetail(DeliveryOut):
    attempt_log = fields.List(fields.Nested(AttemptOut))


class DeliveryQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    recipient = fields.String(load_default=None)
    message_id = fields.String(load_default=None)
    case_id = fields.String(load_default=None)
    channel = fields.String(load_default=None, validate=validate.OneOf(("inbox", "sms", "email", "webhook", "none")))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


@blp.get("")
@require("deliveries:read")
@blp.arguments(DeliveryQuery, location="query")
@blp.response(200, DeliveryOut(many=True))
def list_deliveries(query):
    """Deliveries, newest first; ``status=dead`` lists the stuck ones."""
    return service.search(db_session=db_session(), **query)


@blp.get("/failures")
@require("deliveries:read")
@blp.arguments(FailuresQuery, location="query")
@blp.response(200, FailuresOut)
def list_failures(query):
    """Deliveries that could not be made (dead, or skipped for want of an address or channel), newest first."""
    return service.failures(db_session=db_session(), limit=query["limit"])


def _detail(delivery):
    delivery.attempt_log = service.attempts_of(db_session=db_session(), delivery_id=delivery.id)
    return delivery


@blp.get("/<delivery_id>")
@require("deliveries:read")
@blp.response(200, DeliveryDetail)
@blp.alt_response(404, schema=ProblemSchema)
def get_delivery(delivery_id):
    """One delivery with every attempt (status, provider answer, times)."""
    return _detail(service.get(db_session=db_session(), delivery_id=delivery_id))


@blp.post("/<delivery_id>/retry")
@require("rules:write")
@transactional(IdempotencyRecord)
@blp.response(200, DeliveryDetail)
@blp.alt_response(404, schema=ProblemSchema)
@blp.alt_response(409, schema=ProblemSchema)
def retry_delivery(delivery_id):
    """Send a dead delivery again now (the worker makes one more attempt)."""
    return _detail(service.retry(db_session=db_session(), delivery_id=delivery_id, now=now()))
