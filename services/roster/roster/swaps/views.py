"""Swaps over HTTP: ask, accept, approve, reject, cancel."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common import web
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from . import service
from .schemas import SwapIn, SwapOut, SwapQuery

blp = Blueprint("swaps", __name__, description="Swaps: an officer asks, the other accepts, the board approves")


def _who() -> dict:
    identity = current_identity()
    return {"acting_officer": identity.officer, "may_act_for_others": identity.has("roster:write")}


@blp.get("/swaps")
@require("roster:read")
@blp.arguments(SwapQuery, location="query")
@blp.response(200, SwapOut(many=True))
def list_swaps(query):
    """Swap requests, newest first."""
    return service.list_swaps(db_session=db_session(), **query)


@blp.post("/swaps")
@require("roster:read")
@transactional(IdempotencyRecord)
@blp.arguments(SwapIn)
@blp.response(201, SwapOut)
@blp.alt_response(422, schema=ProblemSchema)
def ask(data):
    """An officer offers their assignment to a colleague (officers for themselves; roster:write for anyone)."""
    return service.ask(db_session=db_session(), now=web.now(), **data, **_who())


@blp.post("/swaps/<int:swap_id>/accept")
@require("roster:read")
@transactional(IdempotencyRecord)
@blp.response(200, SwapOut)
@blp.alt_response(409, schema=ProblemSchema)
def accept(swap_id):
    """The counterpart accepts."""
    return service.accept(db_session=db_session(), swap_id=swap_id, now=web.now(), **_who())


@blp.post("/swaps/<int:swap_id>/reject")
@require("roster:read")
@transactional(IdempotencyRecord)
@blp.response(200, SwapOut)
@blp.alt_response(409, schema=ProblemSchema)
def reject(swap_id):
    """The counterpart (or the board) declines."""
    return service.reject(
        db_session=db_session(), swap_id=swap_id, actor=current_identity().subject, now=web.now(), **_who()
    )


@blp.post("/swaps/<int:swap_id>/cancel")
@require("roster:read")
@transactional(IdempotencyRecord)
@blp.response(200, SwapOut)
@blp.alt_response(409, schema=ProblemSchema)
def cancel(swap_id):
    """The requester withdraws."""
    return service.reject(
        db_session=db_session(),
        swap_id=swap_id,
        actor=current_identity().subject,
        now=web.now(),
        cancel=True,
        **_who(),
    )


@blp.post("/swaps/<int:swap_id>/approve")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.response(200, SwapOut)
@blp.alt_response(409, schema=ProblemSchema)
def approve(swap_id):
    """The board approves: the assignments change hands and stay attached to their shifts."""
    return service.approve(db_session=db_session(), swap_id=swap_id, actor=current_identity().subject, now=web.now())
