"""Hot spots over HTTP: list, read, set the owner, activate or defuse."""

from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, now, require

from ..access import restricted
from ..database import IdempotencyRecord
from . import scopes, service

blp = Blueprint("hotspots", __name__, url_prefix="/hotspots", description="Hot spots (điểm nóng)")


class WeekOut(Schema):
    until = fields.AwareDateTime()
    mass_visits = fields.Integer()
    citizens = fields.Integer()
    incidents = fields.Integer()


class HotspotOut(Schema):
    id = fields.String()
    unit = fields.String()
    field = fields.String(attribute="field_code")
    scope = fields.String(metadata={"description": "commune_field, field (unit: the whole district) or matter"})
    matter_key = fields.String()
    status = fields.String()
    rule = fields.String()
    defused_by = fields.String(allow_none=True, metadata={"description": "manual, or cooled (by rule)"})
    owner = fields.String(allow_none=True)
    mass_visits = fields.Integer()
    citizens = fields.Integer()
    incidents = fields.Integer()
    detected_at = fields.AwareDateTime()
    activated_at = fields.AwareDateTime(allow_none=True)
    defused_at = fields.AwareDateTime(allow_none=True)
    note = fields.String(allow_none=True)
    case_ids = fields.List(fields.String())
    trend = fields.List(fields.Nested(WeekOut), metadata={"description": "The last 4 weeks, oldest first"})


class HotspotQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "watching", "active", "defused")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class HotspotChange(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("active", "defused")))
    owner = Text(load_default=None, validate=validate.Length(min=1, max=120))
    note = Text(load_default=None, validate=validate.Length(max=2000))


class RuleIn(Schema):
    scope = fields.String(
        load_default="commune_field",
        validate=validate.OneOf(scopes.SCOPES),
        metadata={
            "description": "commune_field: one commune and field; field: one field across "
            "the whole unit; matter: one matter"
        },
    )
    window_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=365))
    min_mass_visits = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10000))
    min_citizens = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=1000000))
    min_incidents = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10000))
    field_code = Text(
        load_default=None,
        allow_none=True,
        data_key="field",
        validate=validate.Length(max=40),
        metadata={"description": "only this field (none: every field)"},
    )
    status = fields.String(load_default="active", validate=validate.OneOf(("watching", "active")))
    active = fields.Boolean(load_default=True)
    cool_down_days = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=365),
        metadata={
            "description": "defused by rule after this many days with no mass "
            "visit and no incident (none: only by hand)"
        },
    )


class RuleOut(RuleIn):
    id = fields.String()
    name = fields.String()


@blp.get("/rules")
@require("hotspots:read")
@blp.response(200, RuleOut(many=True))
def list_rules():
    """The hot-spot rules (data): scope, window, thresholds, status given, cooling down."""
    return scopes.list_rules(db_session=db_session())


@blp.put("/rules/<name>")
@require("rules:write")
@transactional(IdempotencyRecord)
@blp.arguments(RuleIn)
@blp.response(200, RuleOut)
def put_rule(data, name):
    """Create or replace a hot-spot rule."""
    return scopes.put_rule(db_session=db_session(), name=name, **data)


@blp.delete("/rules/<name>")
@require("rules:write")
@transactional(IdempotencyRecord)
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema)
def delete_rule(name):
    """Delete a hot-spot rule (the hot spots it made stay)."""
    scopes.delete_rule(db_session=db_session(), name=name)


def _for_caller(found, *, many: bool = False):
    """The officer's note is free text from the desk: it may name a citizen, so it never reaches the police or
    the province (the same fields otherwise)."""
    if restricted(current_identity()):
        return jsonify(HotspotOut(many=many, exclude=("note",)).dump(found))
    return found


def _out(hotspot):
    hotspot.case_ids = service.case_ids(db_session=db_session(), hotspot_id=hotspot.id)
    hotspot.trend = service.trend(db_session=db_session(), unit=hotspot.unit, field_code=hotspot.field_code, at=now())
    return hotspot


@blp.get("")
@require("hotspots:read")
@blp.arguments(HotspotQuery, location="query")
@blp.response(200, HotspotOut(many=True))
def list_hotspots(query):
    """Hot spots, newest first; ``status=open`` for watching and active ones. Police and province callers get
    no free text from the desk (``note``)."""
    found = [_out(h) for h in service.list_hotspots(db_session=db_session(), identity=current_identity(), **query)]
    return _for_caller(found, many=True)


@blp.get("/<hotspot_id>")
@require("hotspots:read")
@blp.response(200, HotspotOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_hotspot(hotspot_id):
    """A hot spot with its linked cases (no ``note`` for police and province callers)."""
    return _for_caller(_out(service.get(db_session=db_session(), identity=current_identity(), hotspot_id=hotspot_id)))


@blp.post("/<hotspot_id>")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(HotspotChange)
@blp.response(200, HotspotOut)
def change_hotspot(data, hotspot_id):
    """Set the owner, activate by hand, or defuse."""
    hotspot = service.get(db_session=db_session(), identity=current_identity(), hotspot_id=hotspot_id)
    return _out(service.change(db_session=db_session(), hotspot=hotspot, now=now(), **data))
