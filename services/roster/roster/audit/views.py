"""The audit trail over HTTP."""

from __future__ import annotations

import json

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.web import db_session, require

from . import service

blp = Blueprint("audit", __name__, description="Audit trail of roster changes")


class AuditOut(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor = fields.String()
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    detail = fields.Function(lambda e: json.loads(e.detail or "{}"))


class AuditQuery(Schema):
    entity = fields.String(load_default=None)
    entity_id = fields.String(load_default=None)
    before_id = fields.Integer(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


@blp.get("/audit")
@require("audit:read")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditOut(many=True))
def list_audit(query):
    """Every change to the roster, newest first (page with before_id)."""
    return service.entries(db_session=db_session(), **query)
