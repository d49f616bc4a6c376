"""Rules and ladders over HTTP: read them, change them (they are data)."""

from __future__ import annotations

import json

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import CONTROL_CHARACTERS, ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, now, require

from ..database import IdempotencyRecord
from ..rendering import has_template
from . import service

blp = Blueprint("rules", __name__, description="Notification rules and ladders")

CHANNEL = validate.OneOf(service.CHANNELS)
NAME_LENGTH = 80  # the rules table's name column
# An event's type or a template's name: dotted lower-case words (escalation.case.opened), nothing else.
DOTTED = validate.Regexp(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", error="dotted lower-case words")
MAX_CONDITIONS, MAX_CONDITIONS_CHARS, MAX_PATH = 20, 2000, 120


def _check_conditions(conditions) -> None:
    """Few enough tests of short enough paths (their operators are checked by the service)."""
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError(f"at most {MAX_CONDITIONS} conditions")
    if any(len(path) > MAX_PATH or CONTROL_CHARACTERS.search(path) for path in conditions):
        raise ValidationError(f"each path at most {MAX_PATH} characters, without control characters")
    if len(json.dumps(conditions, ensure_ascii=False)) > MAX_CONDITIONS_CHARS:
        raise ValidationError(f"at most {MAX_CONDITIONS_CHARS} characters in all")


def _check_urgent(urgent) -> None:
    """``urgent`` is a boolean, a ``$path`` to one, or conditions."""
    if isinstance(urgent, bool):
        return
    if isinstance(urgent, str):
        if not urgent.startswith("$") or len(urgent) > MAX_PATH or CONTROL_CHARACTERS.search(urgent):
            raise ValidationError(f"a $path of at most {MAX_PATH} characters")
        return
    if isinstance(urgent, dict):
        _check_conditions(urgent)
        return
    raise ValidationError("a boolean, a $path or conditions")


class AudienceSpec(Schema):
    """An audience: ``type`` and its ``value``, with the options some types take (any other key is refused)."""

    class Meta:
        unknown = RAISE

    type = fields.String(required=True, validate=validate.Length(max=40))
    value = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120))
    all = fields.Boolean(load_default=None, allow_none=True)
    leader = fields.Boolean(load_default=None, allow_none=True)
    label = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    name = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(("email", "sms", "webhook"))),
        values=Text(validate=validate.Length(min=3, max=300)),
        load_default=None,
        allow_none=True,
    )


class RuleIn(Schema):
    event_type = Text(required=True, validate=[validate.Length(min=3, max=120), DOTTED])
    conditions = fields.Dict(keys=fields.String(), load_default=dict, validate=_check_conditions)
    audiences = fields.List(fields.Nested(AudienceSpec), required=True, validate=validate.Length(min=1, max=30))
    urgent = fields.Raw(load_default=False, validate=_check_urgent)
    channels = fields.List(
        fields.String(validate=CHANNEL), load_default=None, allow_none=True, validate=validate.Length(max=10)
    )
    template = Text(load_default=None, allow_none=True, validate=[validate.Length(max=120), DOTTED])
    active = fields.Boolean(load_default=True)


class RuleOut(RuleIn):
    audiences = fields.List(fields.Dict())
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
    """Create or replace a rule (its ``template``, when given, must be one of notify's templates)."""
    if len(name) > NAME_LENGTH or CONTROL_CHARACTERS.search(name):
        raise field_error("name", f"at most {NAME_LENGTH} characters, without control characters")
    if payload["template"] is not None and not has_template(payload["template"]):
        raise field_error("template", "no such template (one of notify/templates, without .vi.txt)")
    audiences = [{k: v for k, v in a.items() if v is not None} for a in payload.pop("audiences")]
    return service.put_rule(db_session=db_session(), name=name, now=now(), audiences=audiences, **payload)


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
