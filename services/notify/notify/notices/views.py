"""Notices over HTTP: the board sends one to a distribution list and sees, per recipient, the proof."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, now, require

from ..database import IdempotencyRecord
from ..delivery.views import DeliveryOut
from . import service
from .models import KINDS

blp = Blueprint("notices", __name__, url_prefix="/notices", description="Notices and reports to a distribution list")


class NoticeIn(Schema):
    list_name = Text(
        data_key="list",
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "the distribution list's name (GET /lists)"},
    )
    kind = fields.String(load_default="notice", validate=validate.OneOf(KINDS))
    title = Text(required=True, validate=validate.Length(min=3, max=300))
    body = Text(required=True, validate=validate.Length(min=1, max=20000))
    attachment_url = fields.Url(
        load_default=None, allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=1000)
    )
    channels = fields.List(
        fields.String(validate=validate.OneOf(("inbox", "email", "sms"))),
        load_default=lambda: ["inbox", "email"],
        validate=validate.Length(min=1),
        metadata={"description": "for officers (systems get their webhook, bodies their addresses)"},
    )


class NoticeOut(Schema):
    id = fields.String()
    kind = fields.String()
    list = fields.String(attribute="list_name")
    list_title = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String()
    attachment_url = fields.String(allow_none=True)
    sent_by = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class RecipientOut(Schema):
    recipient = fields.String()
    name = fields.String(allow_none=True)
    member = fields.String(allow_none=True, metadata={"description": "the list member that named them"})
    message_id = fields.String()
    status = fields.String(metadata={"description": "acknowledged, delivered, pending or failed"})
    channel = fields.String(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    read_at = fields.AwareDateTime(allow_none=True)
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    acknowledged_via = fields.String(allow_none=True)
    deliveries = fields.List(fields.Nested(DeliveryOut))


class NoticeDetail(NoticeOut):
    list = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    recipients = fields.List(fields.Nested(RecipientOut))


class NoticeQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def roster():
    """The app's client of roster (through the gateway), made at first use."""
    from ..consumers import roster_client

    extensions = current_app.extensions
    if "notify.roster" not in extensions:
        extensions["notify.roster"] = roster_client(extensions["tiepdan"]["settings"])
    return extensions["notify.roster"]


@blp.post("")
@require("notices:write")
@transactional(IdempotencyRecord)
@blp.arguments(NoticeIn)
@blp.response(201, NoticeDetail)
@blp.alt_response(422, schema=ProblemSchema)
def send_notice(payload):
    """Send a notice or report (title, body, optional attachment link) to a named distribution list.

    Accepts Idempotency-Key. Each recipient can acknowledge it like any message (inbox, SMS code, e-mail link).
    """
    identity = current_identity()
    notice = service.send(
        db_session=db_session(),
        roster=roster(),
        settings=current_app.extensions["tiepdan"]["settings"],
        now=now(),
        sent_by=identity.officer or identity.subject,
        **payload,
    )
    return service.detail(db_session=db_session(), notice_id=notice.id)


@blp.get("")
@require("deliveries:read")
@blp.arguments(NoticeQuery, location="query")
@blp.response(200, NoticeOut(many=True))
def list_notices(query):
    """Notices sent, newest first."""
    return service.recent(db_session=db_session(), limit=query["limit"])


@blp.get("/<notice_id>")
@require("deliveries:read")
@blp.response(200, NoticeDetail)
@blp.alt_response(404, schema=ProblemSchema)
def get_notice(notice_id):
    """A notice and, per recipient, its channel, status, delivered_at and acknowledged_at."""
    return service.detail(db_session=db_session(), notice_id=notice_id)
