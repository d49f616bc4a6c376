"""Hot spots over HTTP: list, read, set the owner, activate or defuse."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from ..web import now
from . import service

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
    status = fields.String()
    rule = fields.String()
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


def _out(hotspot):
    hotspot.case_ids = service.case_ids(db_session=db_session(), hotspot_id=hotspot.id)
    hotspot.trend = service.trend(db_session=db_session(), unit=hotspot.unit, field_code=hotspot.field_code,
                                  at=now())
    return hotspot


@blp.get("")
@require("hotspots:read")
@blp.arguments(HotspotQuery, location="query")
@blp.response(200, HotspotOut(many=True))
def list_hotspots(query):
    """Hot spots, newest first; ``status=open`` for watching and active ones."""
    return [_out(h) for h in service.list_hotspots(db_session=db_session(), identity=current_identity(), **query)]


@blp.get("/<hotspot_id>")
@require("hotspots:read")
@blp.response(200, HotspotOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_hotspot(hotspot_id):
    """A hot spot with its linked cases."""
    return _out(service.get(db_session=db_session(), identity=current_identity(), hotspot_id=hotspot_id))


@blp.post("/<hotspot_id>")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(HotspotChange)
@blp.response(200, HotspotOut)
def change_hotspot(data, hotspot_id):
    """Set the owner, activate by hand, or defuse."""
    hotspot = service.get(db_session=db_session(), identity=current_identity(), hotspot_id=hotspot_id)
    return _out(service.change(db_session=db_session(), hotspot=hotspot, now=now(), **data))
