"""The police's alerts over HTTP: cases flagged for public order, police-safe fields only."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, now, require

from ..database import IdempotencyRecord
from ..hotspot.models import Hotspot
from . import flows, service
from .schemas import AlertOut, AlertQuery

blp = Blueprint("alerts", __name__, url_prefix="/alerts", description="Alerts for the police")


def _out(alert, case) -> dict:
    hotspot = db_session().get(Hotspot, alert.hotspot_id) if alert.hotspot_id else None
    return {
        "id": alert.id,
        "reason": alert.reason,
        "message": alert.message,
        "created_at": alert.created_at,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by,
        "case": case,
        "hotspot": hotspot,
    }


@blp.get("")
@require("alerts:read")
@blp.arguments(AlertQuery, location="query")
@blp.response(200, AlertOut(many=True))
def list_alerts(query):
    """Alerts, newest first; ``pending=true`` for those not yet acknowledged."""
    return [_out(a, c) for a, c in service.list_alerts(db_session=db_session(), **query)]


@blp.post("/<alert_id>/ack")
@require("alerts:ack")
@transactional(IdempotencyRecord)
@blp.response(200, AlertOut)
@blp.alt_response(404, schema=ProblemSchema)
def acknowledge(alert_id):
    """The police acknowledge an alert (it also stops the escalation when its last step was for them)."""
    identity = current_identity()
    return _out(
        *flows.acknowledge(
            db_session=db_session(), alert_id=alert_id, by=identity.officer or identity.subject, now=now()
        )
    )
