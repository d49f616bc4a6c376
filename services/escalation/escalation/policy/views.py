"""Escalation policies over HTTP: read them, and replace one (they are data)."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import db_session, now, require

from ..database import IdempotencyRecord
from . import service
from .schemas import PolicyIn, PolicyOut

blp = Blueprint("policies", __name__, url_prefix="/policies", description="Escalation policies (data)")


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
    """Create or replace a policy; running escalations keep the steps they started with."""
    return service.put_policy(db_session=db_session(), name=name, **data)


@blp.delete("/<name>")
@require("rules:write")
@transactional(IdempotencyRecord)
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema)
def delete_policy(name):
    """Delete a policy: never chosen again; running escalations finish on the steps they started with."""
    service.delete_policy(db_session=db_session(), name=name, now=now())
