"""Police incidents over HTTP (police-safe: no citizen's identity anywhere)."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from ..database import IdempotencyRecord
from . import flows, service
from .schemas import IncidentChange, IncidentClose, IncidentIn, IncidentOut, IncidentQuery

blp = Blueprint("incidents", __name__, url_prefix="/incidents", description="Public-order incidents (police)")


@blp.post("")
@require("incidents:write")
@transactional(IdempotencyRecord)
@blp.arguments(IncidentIn)
@blp.response(201, IncidentOut)
@blp.alt_response(422, schema=ProblemSchema)
def report(data):
    """Report an incident: it joins its case (or opens one for a crowd), alerts, and feeds the hot spots."""
    return flows.report(
        db_session=db_session(),
        identity=current_identity(),
        unit=data["unit"],
        place=data["place"],
        occurred_at=data["occurred_at"],
        crowd_estimate=data["crowd_estimate"],
        summary=data["summary"],
        public_order=data["public_order"],
        case_id=data["case_id"],
        field_code=data["field"],
        mass_case_size=current_settings().mass_case_size,
        reference_dir=current_settings().reference_dir,
        now=now(),
    )


@blp.get("")
@require("incidents:read")
@blp.arguments(IncidentQuery, location="query")
@blp.response(200, IncidentOut(many=True))
def list_incidents(query):
    """Incidents, newest first."""
    return service.list_incidents(db_session=db_session(), **query)


@blp.get("/<incident_id>")
@require("incidents:read")
@blp.response(200, IncidentOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_incident(incident_id):
    """One incident."""
    return service.get(db_session=db_session(), incident_id=incident_id)


@blp.post("/<incident_id>")
@require("incidents:write")
@transactional(IdempotencyRecord)
@blp.arguments(IncidentChange)
@blp.response(200, IncidentOut)
@blp.alt_response(403, schema=ProblemSchema)
@blp.alt_response(409, schema=ProblemSchema)
def update_incident(data, incident_id):
    """The reporting police update their incident (another unit's answers 403)."""
    incident = service.get(db_session=db_session(), incident_id=incident_id)
    return flows.update(
        db_session=db_session(), identity=current_identity(), incident=incident, changes=data, now=now()
    )


@blp.post("/<incident_id>/close")
@require("incidents:write")
@transactional(IdempotencyRecord)
@blp.arguments(IncidentClose)
@blp.response(200, IncidentOut)
@blp.alt_response(403, schema=ProblemSchema)
@blp.alt_response(409, schema=ProblemSchema)
def close_incident(data, incident_id):
    """The reporting police close their incident with its outcome."""
    incident = service.get(db_session=db_session(), incident_id=incident_id)
    return service.close(
        db_session=db_session(), identity=current_identity(), incident=incident, outcome=data["outcome"], now=now()
    )
