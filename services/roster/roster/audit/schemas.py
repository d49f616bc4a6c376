"""The audit trail's request and answer schemas."""

from __future__ import annotations

import json

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

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
