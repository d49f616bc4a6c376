"""What a desk sends and gets back for a visit."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PageQuery, Text

from .domain import CATEGORIES, OUTCOMES, REFUSAL_GROUNDS

UNIT_CODE = validate.Regexp(r"^\d{2,5}$", error="Not an administrative unit code.")


class CitizenIn(Schema):
    full_name = Text(required=True, validate=validate.Length(min=1, max=200))
    address = Text(load_default=None, validate=validate.Length(max=400))
    id_number = Text(load_default=None, validate=validate.Regexp(r"^\d{9,12}$", error="9 to 12 digits."))
    phone = Text(load_default=None, validate=validate.Regexp(r"^\+?\d{8,15}$", error="Not a phone number."))
    is_representative = fields.Boolean(load_default=False)


class CitizenOut(Schema):
    full_name = fields.String()
    address = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    is_representative = fields.Boolean()


class OutcomeIn(Schema):
    type = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    competent_body = Text(load_default=None, validate=validate.Length(max=200))
    refusal_ground = fields.String(load_default=None, validate=validate.OneOf(REFUSAL_GROUNDS))


class VisitIn(Schema):
    receiving_unit = fields.String(load_default=None, validate=UNIT_CODE)
    received_at = fields.AwareDateTime(load_default=None, metadata={"description": "Defaults to now; not in the future"})
    receiving_officer = Text(load_default=None, validate=validate.Length(max=120))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    field = fields.String(required=True, validate=validate.Length(min=1, max=40))
    origin_unit = fields.String(load_default=None, validate=UNIT_CODE)
    content = Text(required=True, validate=validate.Length(min=1, max=20000))
    prior_handling = Text(load_default=None, validate=validate.Length(max=20000))
    citizen_request = Text(load_default=None, validate=validate.Length(max=20000))
    group_size = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=10000))
    over_level = fields.Boolean(load_default=False)
    citizens = fields.List(fields.Nested(CitizenIn), required=True, validate=validate.Length(min=1, max=500))
    outcome = fields.Nested(OutcomeIn, required=True)


class OutcomeOut(Schema):
    type = fields.String(attribute="outcome")
    competent_body = fields.String(allow_none=True)
    refusal_ground = fields.String(allow_none=True)


class VisitOut(Schema):
    id = fields.String()
    serial = fields.String()
    receiving_unit = fields.String()
    receiving_officer = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    category = fields.String()
    field = fields.String(attribute="field_code")
    origin_unit = fields.String()
    content = fields.String()
    prior_handling = fields.String(allow_none=True)
    citizen_request = fields.String(allow_none=True)
    group_size = fields.Integer()
    is_mass = fields.Boolean()
    over_level = fields.Boolean()
    representative_count = fields.Integer()
    citizens = fields.List(fields.Nested(CitizenOut))
    outcome = fields.Function(lambda v: OutcomeOut().dump(v))
    created_by = fields.String()
    created_at = fields.AwareDateTime()


class VisitQuery(PageQuery):
    date_from = fields.AwareDateTime(data_key="from", load_default=None)
    date_to = fields.AwareDateTime(data_key="to", load_default=None)
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    field = fields.String(load_default=None)
    unit = fields.String(load_default=None, validate=UNIT_CODE)
    outcome = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))
    mass = fields.Boolean(load_default=None)


class VisitPage(Schema):
    items = fields.List(fields.Nested(VisitOut))
    next_cursor = fields.String(allow_none=True)
