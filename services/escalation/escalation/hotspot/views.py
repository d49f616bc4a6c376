"""Hot spots over HTTP: list, read, set the owner, activate or defuse."""

from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, now, require

from ..access import restricted
from ..database import IdempotencyRecord
from . import flows, scopes, service
from .schemas import HotspotChange, HotspotOut, HotspotQuery, RuleIn, RuleOut

blp = Blueprint("hotspots", __name__, url_prefix="/hotspots", description="Hot spots (điểm nóng)")


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
    return _out(flows.change(db_session=db_session(), hotspot=hotspot, now=now(), **data))
