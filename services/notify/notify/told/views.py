"""Who was told about a case, over HTTP: for the dashboard's "who was told" screen."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tiepdan_common.schemas import ProblemSchema, Text
from tiepdan_common.web import db_session, require

from ..delivery.views import DeliveryOut
from . import service

blp = Blueprint("told", __name__, url_prefix="/messages", description="Who was told about a case, and how")


class ToldQuery(Schema):
    case_id = Text(load_default=None, validate=validate.Length(min=1, max=36))
    event_id = Text(load_default=None, validate=validate.Length(min=1, max=36))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=2000))

    @validates_schema
    def _one_of(self, data, **kwargs):
        if not data.get("case_id") and not data.get("event_id"):
            raise ValidationError("name a case_id or an event_id", field_name="case_id")


class ToldOut(Schema):
    message_id = fields.String()
    recipient = fields.String()
    name = fields.String(allow_none=True)
    event_id = fields.String()
    event_type = fields.String()
    case_id = fields.String(allow_none=True)
    title = fields.String()
    urgent = fields.Boolean()
    via_fallback = fields.Boolean()
    rule = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    status = fields.String(metadata={"description": "acknowledged, delivered, pending or failed"})
    channel = fields.String(allow_none=True, metadata={"description": "the first channel that delivered it"})
    delivered_at = fields.AwareDateTime(allow_none=True)
    read_at = fields.AwareDateTime(allow_none=True)
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    acknowledged_via = fields.String(allow_none=True)
    deliveries = fields.List(fields.Nested(DeliveryOut))


@blp.get("")
@require("deliveries:read")
@blp.arguments(ToldQuery, location="query")
@blp.response(200, ToldOut(many=True))
@blp.alt_response(422, schema=ProblemSchema)
def list_told(query):
    """Every message about a case (``case_id``) or an event (``event_id``), oldest first: recipient, channel,
    status, delivered and acknowledged times, and each delivery."""
    return service.told(db_session=db_session(), **query)
