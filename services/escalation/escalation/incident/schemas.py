"""What the incident API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDateTime, Text


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
    occurred_at = PlausibleDateTime()
    crowd_estimate = fields.Integer(validate=validate.Range(min=0, max=1000000))
    summary = Text(validate=validate.Length(min=2, max=4000))
    public_order = fields.Boolean()


class IncidentClose(Schema):
    outcome = Text(required=True, validate=validate.Length(min=2, max=4000))


class IncidentQuery(Schema):
    unit = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "closed")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
