"""The inbox over HTTP: read, mark read, acknowledge."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, now, require

from . import service

blp = Blueprint("inbox", __name__, url_prefix="/inbox", description="Officers' in-app inbox")


class MessageOut(Schema):
    id = fields.String()
    recipient = fields.String()
    event_type = fields.String()
    case_id = fields.String(allow_none=True)
    severity = fields.String()
    title = fields.String()
    body = fields.String()
    via_fallback = fields.Boolean()
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    acknowledged_via = fields.String(allow_none=True)
    title_en = fields.String(allow_none=True)
    body_en = fields.String(allow_none=True)
    urgent = fields.Boolean()


class InboxQuery(Schema):
    recipient = fields.String(load_default=None)
    unread = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


@blp.get("")
@require("inbox:read")
@blp.arguments(InboxQuery, location="query")
@blp.response(200, MessageOut(many=True))
def list_inbox(query):
    """The signed-in officer's messages, newest first."""
    recipient = service.recipient_for(current_identity(), query["recipient"])
    return service.list_messages(
        db_session=db_session(), recipient=recipient, unread=query["unread"], limit=query["limit"]
    )


@blp.post("/<message_id>/read")
@require("inbox:read")
@transactional()
@blp.response(200, MessageOut)
@blp.alt_response(404, schema=ProblemSchema)
def read_message(message_id):
    """Mark a message read."""
    return service.mark_read(db_session=db_session(), identity=current_identity(), message_id=message_id, now=now())


@blp.post("/<message_id>/ack")
@require("inbox:read")
@transactional()
@blp.response(200, MessageOut)
@blp.alt_response(404, schema=ProblemSchema)
def acknowledge_message(message_id):
    """Acknowledge a message (repeating it changes nothing)."""
    return service.acknowledge(db_session=db_session(), identity=current_identity(), message_id=message_id, now=now())
