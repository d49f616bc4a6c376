"""What the hotspot API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import Text

from . import scopes


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
