"""Police incidents over HTTP (police-safe: no citizen's identity anywhere)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import PlausibleDateTime, ProblemSchema, Text
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from ..database import IdempotencyRecord
from . import flows, service

blp = Blueprint("incidents", __name__, url_prefix="/incidents", description="Public-order incidents (police)")


class IncidentIn(Schema):
    unit = Text(required=True, validate=validate.Length(min=1, max=10))
    field = Text(load_default=None, validate=validate.Length(min=1, max=40))
    place = Text(required=True, validate=validate.Length(min=2, max=300))
    occurred_at = PlausibleDateTime(required=True)
    crowd_estimate = fields.Integer(required=True, validate=validate.Range(min=0, max=1000000))
    summary = Text(required=True, validate=validate.Length(min=2, max=4000))
    public_order = fields.Boolean(load_default=True)
    case_id = fields.String(load_default=None)


class IncidentOut(Schema):
    id = fields.String()
    unit = fields.String()
    field = fields.String(attribute="field_code", allow_none=True)
    place = fields.String()
    occurred_at = fields.AwareDateTime()
    crowd_estimate = fields.Integer()
    summary = fields.String()
    public_order = fields.Boolean()
    case_id = fields.String(allow_none=True)
    reported_by = fields.String()
    reported_at = fields.AwareDateTime()
    status = fields.String(metadata={"description": "open or closed"})
    closed_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class IncidentChange(Schema):
    place = Text(validate=validate.Length(min=2, max=300))
    occurred_at = fields.AwareDateTime()
    crowd_estimate = fields.Integer(validate=validate.Range(min=0, max=1000000))
    summary = Text(validate=validate.Length(min=2, max=4000))
    public_order = fields.Boolean()


class IncidentClose(Schema):
    outcome = Text(required=True, validate=validate.Length(min=2, max=4000))


class IncidentQuery(Schema):
    unit = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "closed")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


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
