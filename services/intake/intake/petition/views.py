"""HTTP endpoints of the petitions book."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from tiepdan_common.clock import local_date
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, now, require

from ..database import IdempotencyRecord
from . import actions, book, export, images, registration, service
from .lifecycle_schemas import DetailQuery
from .schemas import (
    DecisionIn,
    ImageIn,
    ImageOut,
    InformIn,
    PetitionExportQuery,
    PetitionIn,
    PetitionOut,
    PetitionPage,
    PetitionPeriodQuery,
    PetitionQuery,
    PetitionsCreated,
    PetitionStatistics,
    RepeatCheckIn,
    RepeatCheckOut,
    ResolutionIn,
)

blp = Blueprint("petitions", __name__, url_prefix="/petitions", description="Petitions (đơn) and their handling")


@blp.route("", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(PetitionIn())  # one instance for every request: webargs would build one per request from the class
@blp.response(201, PetitionsCreated)
@blp.alt_response(422, schema=ProblemSchema, description="Invalid input, naming the field")
def create_petition(data):
    """Register a petition; a mixed one is split into linked petitions (``parts``); repeats link to the first."""
    created = registration.create(db_session=db_session(), identity=current_identity(), data=data)
    first = created[0]
    first.parts = created if len(created) > 1 else []
    return first


@blp.route("/repeat-check", methods=["POST"])
@require("petitions:read")
@blp.arguments(RepeatCheckIn)
@blp.response(200, RepeatCheckOut)
def check_repeat(data):
    """Before registering: the petition of these senders about this matter that a new one would repeat."""

    matter_key = service.matter_of(origin_unit=data["origin_unit"], field=data["field"], subject=data["subject"])
    earlier = service.find_repeat(
        db_session=db_session(),
        identity=current_identity(),
        senders=data["senders"],
        matter_key=matter_key,
        on=local_date(now()),
    )
    return {"earlier": earlier}


@blp.route("", methods=["GET"])
@require("petitions:read")
@blp.arguments(PetitionQuery, location="query")
@blp.response(200, PetitionPage)
def list_petitions(query):
    """The petitions book with filters (incl. overdue), search, sorting and a keyset cursor; senders masked."""
    items, next_cursor = book.list_page(db_session=db_session(), identity=current_identity(), query=query)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/export", methods=["GET"])
@require("petitions:read")
@blp.arguments(PetitionExportQuery, location="query")
@blp.response(200, description="The petitions of the period as CSV or XLSX, Vietnamese headers")
def export_petitions(query):
    """Download the petitions book of a period (sổ theo dõi đơn) as CSV or XLSX."""
    return export.book(db_session=db_session(), identity=current_identity(), query=query)


@blp.route("/statistics", methods=["GET"])
@require("petitions:read")
@blp.arguments(PetitionPeriodQuery, location="query")
@blp.response(200, PetitionStatistics)
def petition_statistics(query):
    """Counts of petitions in a period by category, field, unit, channel, status and decision."""
    return book.statistics(db_session=db_session(), identity=current_identity(), query=query)


@blp.route("/<petition_id>", methods=["GET"])
@require("petitions:read")
@transactional()
@blp.arguments(DetailQuery, location="query")
@blp.response(200, PetitionOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_petition(query, petition_id):
    """One petition with its steps, history and links. identity:read callers see senders unmasked (audited);
    for a denunciation or a record split from one, only when assigned to it or stating a ``purpose``."""
    return service.detail(
        db_session=db_session(), identity=current_identity(), petition_id=petition_id, purpose=query["purpose"]
    )


@blp.route("/<petition_id>/decisions", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(DecisionIn)
@blp.response(201, PetitionOut)
@blp.alt_response(422, schema=ProblemSchema, description="Invalid decision, naming the field")
def decide_petition(data, petition_id):
    """Take a handling decision (accept, not_accept, guide, forward, request_lower_level, archive): the
    matching lifecycle step, with its deadline."""
    return actions.decide(db_session=db_session(), identity=current_identity(), petition_id=petition_id, data=data)


@blp.route("/<petition_id>/citizen-informed", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(InformIn)
@blp.response(200, PetitionOut)
def inform_citizen(data, petition_id):
    """Record the day the citizen was told how the petition is handled."""
    return actions.inform(
        db_session=db_session(), identity=current_identity(), petition_id=petition_id, informed_on=data["informed_on"]
    )


@blp.route("/<petition_id>/resolution", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(ResolutionIn)
@blp.response(200, PetitionOut)
def resolve_petition(data, petition_id):
    """Close an accepted petition with its outcome and resolution (the ``resolve`` step)."""
    return actions.resolve(db_session=db_session(), identity=current_identity(), petition_id=petition_id, data=data)


@blp.route("/<petition_id>/images", methods=["POST"])
@require("petitions:write")
@transactional(IdempotencyRecord)
@blp.arguments(ImageIn)
@blp.response(201, ImageOut)
@blp.alt_response(422, schema=ProblemSchema, description="Not a PNG or JPEG image, naming the field")
def add_image(data, petition_id):
    """Attach handwriting or a scanned page (base64); it is encrypted at rest like the senders' identity."""
    return images.add(db_session=db_session(), identity=current_identity(), petition_id=petition_id, data=data)


@blp.route("/<petition_id>/images/<int:image_id>", methods=["GET"])
@require("petitions:read")
@transactional()
@blp.arguments(DetailQuery, location="query")
@blp.response(200, description="The image bytes (needs identity:read; the read is audited)")
@blp.alt_response(403, schema=ProblemSchema)
def get_image(query, petition_id, image_id):
    """One image of the petition, in clear, for identity:read callers only (a denunciation's record: also
    assigned, or with a ``purpose``); audited."""
    image = images.read(
        db_session=db_session(),
        identity=current_identity(),
        petition_id=petition_id,
        image_id=image_id,
        purpose=query["purpose"],
    )
    return Response(image.clear, mimetype=image.content_type, headers={"Cache-Control": "no-store"})
