"""HTTP endpoints of a petition's lifecycle, repeats, corrections, handlers, due list and matters."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.clock import local_date
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, now, require

from ..database import IdempotencyRecord
from . import actions, due, law, lifecycle, matters, steps
from .lifecycle_schemas import (
    DueList,
    DueQuery,
    GroundList,
    HandlerIn,
    MatterOut,
    PetitionCorrectionIn,
    PetitionVoidIn,
    RepeatDecisionIn,
    StepCatalogue,
    StepIn,
)
from .schemas import HandlerOut, PetitionOut

blp = Blueprint(
    "petition_lifecycle",
    __name__,
    url_prefix="/petitions",
    description="A petition's lifecycle: steps, repeats, corrections, handlers, deadlines",
)
matters_blp = Blueprint(
    "matters",
    __name__,
    url_prefix="/matters",
    description="Matters (vụ việc): petitions and visits about one origin, field and subject",
)


@blp.route("/due", methods=["GET"])
@require("petitions:read")
@blp.arguments(DueQuery, location="query")
@blp.response(200, DueList)
def list_due(query):
    """Overdue deadlines and those due within ``within`` days, soonest first, with the days left."""
    return {
        "items": due.due(
            db_session=db_session(), identity=current_identity(), day=local_date(now()), within=query["within"]
        )
    }


@blp.route("/grounds", methods=["GET"])
@require("petitions:read")
@blp.response(200, GroundList)
def list_grounds():
    """The legal grounds for not accepting a complaint or a denunciation, with their sources."""
    return {"items": law.grounds()}


@blp.route("/steps", methods=["GET"])
@require("petitions:read")
@blp.response(200, StepCatalogue)
def list_steps():
    """Every step: from which states, to which state, for which categories, what it needs, its legal basis."""
    available = law.steps_available_from()
    return {
        "states": list(lifecycle.STATES),
        "items": [{**s.__dict__, "available_from": available.get(s.name, {})} for s in lifecycle.STEPS.values()],
    }


@blp.route("/<petition_id>/steps", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(StepIn)
@blp.response(201, PetitionOut)
@blp.alt_response(409, schema=ProblemSchema, description="The step is not allowed from the petition's state")
@blp.alt_response(422, schema=ProblemSchema, description="Invalid input, naming the field")
def record_step(data, petition_id):
    """Take a step: accept, not_accept, guide, forward, reforward, return_to_lower_level, extend,
    temporarily_suspend, resume, suspend, withdraw, withdraw_part, dialogue_held, dialogue_skipped,
    resolve, archive."""
    from . import service

    petition, _ = steps.record(db_session=db_session(), identity=current_identity(), petition_id=petition_id, data=data)
    return service.present(db_session=db_session(), identity=current_identity(), petition=petition, unmasked=False)


@blp.route("/<petition_id>/repeat", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(RepeatDecisionIn)
@blp.response(200, PetitionOut)
@blp.alt_response(409, schema=ProblemSchema)
def decide_repeat(data, petition_id):
    """Confirm the repeat suggested at registration, or override it with a reason (kept on the record)."""
    return actions.decide_repeat(
        db_session=db_session(), identity=current_identity(), petition_id=petition_id, data=data
    )


@blp.route("/<petition_id>", methods=["PATCH"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(PetitionCorrectionIn)
@blp.response(200, PetitionOut)
def correct_petition(data, petition_id):
    """Correct the petition's text, field or origin with a reason; the earlier version stays in history."""
    return actions.correct(db_session=db_session(), identity=current_identity(), petition_id=petition_id, data=data)


@blp.route("/<petition_id>/void", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(PetitionVoidIn)
@blp.response(200, PetitionOut)
@blp.alt_response(409, schema=ProblemSchema)
def void_petition(data, petition_id):
    """Void a petition entered by mistake, with a reason; its history stays."""
    return actions.void(
        db_session=db_session(), identity=current_identity(), petition_id=petition_id, reason=data["reason"]
    )


@blp.route("/<petition_id>/handlers", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(HandlerIn)
@blp.response(201, HandlerOut)
def assign_handler(data, petition_id):
    """Assign an officer to handle the petition: the assignment that reading a denunciation requires."""
    return actions.assign(
        db_session=db_session(), identity=current_identity(), petition_id=petition_id, officer=data["officer"]
    )


@matters_blp.route("/<path:matter_key>", methods=["GET"])
@require("petitions:read")
@matters_blp.response(200, MatterOut)
@matters_blp.alt_response(404, schema=ProblemSchema)
def get_matter(matter_key):
    """The petitions and visits about one matter, with the history of its petitions."""
    return matters.lookup(db_session=db_session(), identity=current_identity(), matter_key=matter_key)
