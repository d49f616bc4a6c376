"""What the alert API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..case.schemas import CasePublicOut


class HotspotBriefOut(Schema):
    """What the police read of a hot spot: where, which field, how many; never an identity."""

    id = fields.String()
    unit = fields.String()
    field = fields.String(attribute="field_code")
    scope = fields.String()
    status = fields.String()
    mass_visits = fields.Integer()
    citizens = fields.Integer()
    incidents = fields.Integer()
    activated_at = fields.AwareDateTime(allow_none=True)


class AlertOut(Schema):
    id = fields.String()
    reason = fields.String()
    message = fields.String()
    created_at = fields.AwareDateTime()
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    case = fields.Nested(CasePublicOut, allow_none=True)
    hotspot = fields.Nested(HotspotBriefOut, allow_none=True, metadata={"description": "a hot spot's alert"})


class AlertQuery(Schema):
    pending = fields.Boolean(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
