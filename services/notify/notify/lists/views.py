"""Distribution lists over HTTP: read them, replace one (they are data)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import INCLUDE, Schema, fields, validate

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema, Text
from tiepdan_common.web import db_session, now, require

from ..database import IdempotencyRecord
from . import service

blp = Blueprint("lists", __name__, url_prefix="/lists", description="Distribution lists (nơi nhận)")


class MemberSchema(Schema):
    """An audience spec (``type`` and its ``value``; ``all``, ``name``, ``channels`` where they apply)."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, validate=validate.Length(max=40))
    value = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120))
    label = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "the plan's words for this member"},
    )
    all = fields.Boolean(load_default=None, allow_none=True)
    name = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(("email", "sms", "webhook"))),
        values=Text(validate=validate.Length(min=3, max=300)),
        load_default=None,
        allow_none=True,
    )


class ListIn(Schema):
    title = Text(required=True, validate=validate.Length(min=2, max=200))
    source = Text(load_default=None, allow_none=True, validate=validate.Length(max=400))
    members = fields.List(fields.Nested(MemberSchema), required=True, validate=validate.Length(min=1, max=200))


class ListOut(ListIn):
    name = fields.String()
    updated_at = fields.AwareDateTime(allow_none=True)


def _clean(members: list[dict]) -> list[dict]:
    return [{k: v for k, v in m.items() if v is not None} for m in members]


@blp.get("")
@require("deliveries:read")
@blp.response(200, ListOut(many=True))
def list_lists():
    """Every distribution list with its members."""
    return service.all_lists(db_session=db_session())


@blp.get("/<name>")
@require("deliveries:read")
@blp.response(200, ListOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_list(name):
    """One distribution list."""
    return service.get(db_session=db_session(), name=name)


@blp.put("/<name>")
@require("rules:write")
@transactional(IdempotencyRecord)
@blp.arguments(ListIn)
@blp.response(200, ListOut)
@blp.alt_response(422, schema=ProblemSchema)
def put_list(payload, name):
    """Create or replace a distribution list (rules and notices use it by name)."""
    return service.put(
        db_session=db_session(),
        name=name[:80],
        title=payload["title"],
        source=payload["source"],
        members=_clean(payload["members"]),
        now=now(),
    )
