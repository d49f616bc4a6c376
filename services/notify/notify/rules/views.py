"""Rules and ladders over HTTP: read them, change them (they are data)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, now, require

from ..database import IdempotencyRecord
from . import service

blp = Blueprint("rules", __name__, description="Notification rules and ladders")

CHANNEL = validate.OneOf(service.CHANNELS)


class RuleIn(Schema):
    event_type = fields.String(required=True, validate=validate.Length(min=3, max=120))
    conditions = fields.Dict(load_default=dict)
    audiences = fields.List(fields.Dict(), required=True)
    urgent = fields.Raw(load_default=False)
    channels = fields.List(fields.String(validate=CHANNEL), load_default=None, allow_none=True)
    template = fields.String(load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True)


class RuleOut(RuleIn):
    id = fields.Integer()
    name = fields.String()
    updated_at = fields.AwareDateTime()


class StepSchema(Schema):
    after_seconds = fields.Integer(required=True, validate=validate.Range(min=0, max=7 * 86400))
    channels = fields.List(fields.String(validate=CHANNEL), required=True, validate=validate.Length(min=1))


class LadderIn(Schema):
    steps = fields.List(fields.Nested(StepSchema), required=True, validate=validate.Length(min=1, max=10))


class LadderOut(LadderIn):
    recipient = fields.String()
    urgency = fields.String()


@blp.get("/rules")
@require("deliveries:read")
@blp.response(200, RuleOut(many=True))
def list_rules():
    """Every rule: event type and conditions → audiences."""
    return service.list_rules(db_session=db_session())


@blp.put("/rules/<name>")
@require("rules:write")
@transactional(IdempotencyRecord)
@blp.arguments(RuleIn)
@blp.response(200, RuleOut)
@blp.alt_response(422, schema=ProblemSchema)
def put_rule(payload, name):
    """Create or replace a rule."""
    return service.put_rule(db_session=db_session(), name=name[:80], now=now(), **payload)


def _may_see_ladder(recipient: str, permission: str) -> None:
    """An officer sees and sets their own ladder; others need ``permission``."""
    identity = current_identity()
    if identity.officer != recipient and not identity.has(permission):
        raise Problem(403, f"Permission {permission!r} is required for another officer's ladder.", code="forbidden")


@blp.get("/ladders/<recipient>")
@require("inbox:read")
@blp.response(200, LadderOut(many=True))
@blp.alt_response(403, schema=ProblemSchema)
def get_ladders(recipient):
    """An officer's urgent and normal ladders (``*`` for everyone's default); one's own, or with deliveries:read."""
    _may_see_ladder(recipient, "deliveries:read")
    return [
        {
            "recipient": recipient,
            "urgency": u,
            "steps": service.ladder_steps(db_session=db_session(), recipient=recipient, urgency=u),
        }
        for u in ("urgent", "normal")
    ]


@blp.put("/ladders/<recipient>/<urgency>")
@require("inbox:read")
@transactional(IdempotencyRecord)
@blp.arguments(LadderIn)
@blp.response(200, LadderOut)
@blp.alt_response(403, schema=ProblemSchema)
@blp.alt_response(404, schema=ProblemSchema)
@blp.alt_response(422, schema=ProblemSchema)
def put_ladder(payload, recipient, urgency):
    """Set a ladder for ``urgent`` or ``normal`` messages: one's own, or anyone's (and ``*``) with rules:write."""
    _may_see_ladder(recipient, "rules:write")
    return service.put_ladder(
        db_session=db_session(), recipient=recipient[:40], urgency=urgency, steps=payload["steps"], now=now()
    )
