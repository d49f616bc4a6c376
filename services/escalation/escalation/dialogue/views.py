"""Dialogues of a case over HTTP. Participants and minutes may name citizens: police and province never see them."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, now, require

from ..access import restricted
from ..case import service as cases
from ..database import IdempotencyRecord
from . import service
from .schemas import DialogueChangeIn, DialogueIn, DialogueOut, DialogueRecordIn

blp = Blueprint("dialogues", __name__, url_prefix="/cases", description="Dialogues with citizens (đối thoại)")


def _case(case_id: str):
    identity = current_identity()
    if restricted(identity):
        raise Problem(403, "Dialogues are not shown to police and province callers.", code="forbidden")
    return cases.get(db_session=db_session(), identity=identity, case_id=case_id)


@blp.get("/<case_id>/dialogues")
@require("cases:read")
@blp.response(200, DialogueOut(many=True))
def list_dialogues(case_id):
    """The case's dialogues, by date."""
    return service.for_case(db_session=db_session(), case=_case(case_id))


@blp.get("/<case_id>/dialogues/<dialogue_id>")
@require("cases:read")
@blp.response(200, DialogueOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_dialogue(case_id, dialogue_id):
    """One dialogue with its participants, minutes and outcome."""
    return service.get(db_session=db_session(), case=_case(case_id), dialogue_id=dialogue_id)


@blp.post("/<case_id>/dialogues")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(DialogueIn)
@blp.response(201, DialogueOut)
@blp.alt_response(422, schema=ProblemSchema)
def schedule(data, case_id):
    """Schedule a dialogue: date, place, participants."""
    identity = current_identity()
    return service.schedule(
        db_session=db_session(), case=_case(case_id), actor=identity.officer or identity.subject, now=now(), **data
    )


@blp.post("/<case_id>/dialogues/<dialogue_id>")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(DialogueChangeIn)
@blp.response(200, DialogueOut)
@blp.alt_response(409, schema=ProblemSchema)
@blp.alt_response(422, schema=ProblemSchema)
def reschedule(data, case_id, dialogue_id):
    """Move a dialogue not yet held (date, place) or change who is invited."""
    identity = current_identity()
    return service.reschedule(
        db_session=db_session(),
        case=_case(case_id),
        dialogue_id=dialogue_id,
        actor=identity.officer or identity.subject,
        now=now(),
        **data,
    )


@blp.post("/<case_id>/dialogues/<dialogue_id>/record")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(DialogueRecordIn)
@blp.response(200, DialogueOut)
@blp.alt_response(422, schema=ProblemSchema)
def record(data, case_id, dialogue_id):
    """Record the dialogue as held (minutes, outcome) or cancelled."""
    identity = current_identity()
    return service.record(
        db_session=db_session(),
        case=_case(case_id),
        dialogue_id=dialogue_id,
        actor=identity.officer or identity.subject,
        now=now(),
        **data,
    )
