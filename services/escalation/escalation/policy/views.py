"""Escalation policies over HTTP: read them, and replace one (they are data)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import Text
from tiepdan_common.web import db_session, require

from ..database import IdempotencyRecord
from . import domain, service

blp = Blueprint("policies", __name__, url_prefix="/policies", description="Escalation policies (data)")


class TargetSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(domain.TARGET_TYPES))
    value = Text(load_default=None, allow_none=True, validate=validate.Length(max=120))


class StepSchema(Schema):
    target = fields.Nested(TargetSchema, required=True)
    wait_minutes = fields.Integer(load_default=15, validate=validate.Range(min=0, max=7 * 24 * 60))
    public_order_only = fields.Boolean(load_default=False)


class PolicyIn(Schema):
    description = Text(load_default=None, validate=validate.Length(max=2000))
    priority = fields.Integer(load_default=100, validate=validate.Range(min=0, max=10000))
    severities = fields.List(fields.String(validate=validate.OneOf(domain.SEVERITIES)), load_default=list)
    public_order_only = fields.Boolean(load_default=False)
    hours_from = fields.Integer(load_default=None, validate=validate.Range(min=0, max=23))
    hours_to = fields.Integer(load_default=None, validate=validate.Range(min=0, max=24))
    first_wait_minutes = fields.Integer(load_default=0, validate=validate.Range(min=0, max=7 * 24 * 60))
    steps = fields.List(fields.Nested(StepSchema), required=True, validate=validate.Length(min=1, max=20))
    repeat_from = fields.Integer(load_default=None, validate=validate.Range(min=0))
    max_repeats = fields.Integer(load_default=0, validate=validate.Range(min=0, max=20))
    progress_timeout_minutes = fields.Integer(load_default=60, validate=validate.Range(min=1, max=7 * 24 * 60))
    active = fields.Boolean(load_default=True)


class PolicyOut(PolicyIn):
    id = fields.String()
    name = fields.String()
    steps = fields.List(fields.Dict())


@blp.get("")
@require("cases:read")
@blp.response(200, PolicyOut(many=True))
def list_policies():
    """Every policy, in the order they are tried (priority, then name)."""
    return service.list_policies(db_session=db_session())


@blp.put("/<name>")
@require("rules:write")
@transactional(IdempotencyRecord)
@blp.arguments(PolicyIn)
@blp.response(200, PolicyOut)
def put_policy(data, name):
    """Create or replace a policy; running escalations keep their position."""
    return service.put_policy(db_session=db_session(), name=name, **data)
