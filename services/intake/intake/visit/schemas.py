"""What a desk sends and gets back for a visit."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tiepdan_common.schemas import PageQuery, PlausibleDateTime, Text

from ..listing import sort_choices
from .domain import CATEGORIES, CHANNELS, OUTCOMES, REFUSAL_GROUNDS
from .service import SORT_KEYS

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
    identity_masked = fields.Boolean(metadata={"description": "True unless the caller holds identity:read"})


class OutcomeIn(Schema):
    type = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    competent_body = Text(load_default=None, validate=validate.Length(max=200))
    refusal_ground = fields.String(load_default=None, validate=validate.OneOf(REFUSAL_GROUNDS))


class VisitIn(Schema):
    receiving_unit = fields.String(load_default=None, validate=UNIT_CODE)
    received_at = PlausibleDateTime(load_default=None, metadata={"description": "Defaults to now; not in the future"})
    receiving_officer = Text(load_default=None, validate=validate.Length(max=120))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    field = fields.String(required=True, validate=validate.Length(min=1, max=40))
    origin_unit = fields.String(load_default=None, validate=UNIT_CODE)
    content = Text(required=True, validate=validate.Length(min=1, max=20000))
    prior_handling = Text(load_default=None, validate=validate.Length(max=20000))
    citizen_request = Text(load_default=None, validate=validate.Length(max=20000))
    group_size = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=10000))
    over_level = fields.Boolean(load_default=False)
    subject = Text(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "Short name of the matter; visits naming the same subject share a matter key"},
    )
    repeat_of = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=36),
        metadata={"description": "An earlier visit about the same matter, when the desk knows it"},
    )
    citizens = fields.List(fields.Nested(CitizenIn), required=True, validate=validate.Length(min=1, max=500))
    outcome = fields.Nested(OutcomeIn, required=True)
    channel = fields.String(
        load_default="in_person",
        validate=validate.OneOf(CHANNELS),
        metadata={"description": "in_person, or online from 1 July 2026 (rule visit.channels)"},
    )


def _outcome(visit) -> dict:
    # A plain dict: building an OutcomeOut schema per row cost about a millisecond each in list pages.
    return {"type": visit.outcome, "competent_body": visit.competent_body, "refusal_ground": visit.refusal_ground}


class EarlierVisit(Schema):
    """The first visit about the same matter, and how the desk handled it."""

    id = fields.String()
    serial = fields.String()
    received_at = fields.AwareDateTime()
    receiving_unit = fields.String()
    outcome = fields.Function(
        _outcome, metadata={"type": "object", "description": "type, competent_body, refusal_ground"}
    )
    repeat_count = fields.Integer()


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
    citizens = fields.List(fields.Nested(CitizenOut), attribute="people")
    outcome = fields.Function(
        _outcome, metadata={"type": "object", "description": "type, competent_body, refusal_ground"}
    )
    subject = fields.String(allow_none=True)
    matter_key = fields.String()
    repeat_of = fields.String(allow_none=True)
    repeat_count = fields.Integer()
    earlier = fields.Nested(
        EarlierVisit, allow_none=True, metadata={"description": "On a repeat, the first record and its handling"}
    )
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    channel = fields.String()
    receiving_unit_id = fields.Integer(allow_none=True, metadata={"description": "The unit version in force that day"})
    origin_unit_id = fields.Integer(allow_none=True, metadata={"description": "The unit version in force that day"})
    version = fields.Integer(metadata={"description": "1, plus one per correction or voiding"})
    voided_at = fields.AwareDateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)


class CorrectionIn(Schema):
    """The fields to correct (only those given change), the reason, and the version corrected."""

    reason = Text(required=True, validate=validate.Length(min=1, max=2000))
    version = fields.Integer(
        load_default=None,
        strict=True,
        metadata={"description": "The version read; another's correction since answers 409"},
    )
    received_at = PlausibleDateTime()
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    field = fields.String(validate=validate.Length(min=1, max=40))
    origin_unit = fields.String(validate=UNIT_CODE)
    subject = Text(allow_none=True, validate=validate.Length(max=200))
    content = Text(validate=validate.Length(min=1, max=20000))
    prior_handling = Text(allow_none=True, validate=validate.Length(max=20000))
    citizen_request = Text(allow_none=True, validate=validate.Length(max=20000))
    over_level = fields.Boolean()
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    outcome = fields.Nested(OutcomeIn)


class VoidIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))
    version = fields.Integer(load_default=None, strict=True)


class VisitVersionOut(Schema):
    version = fields.Integer()
    action = fields.String()
    reason = fields.String()
    changed_by = fields.String()
    changed_at = fields.AwareDateTime()
    before = fields.Raw(metadata={"description": "The visit's correctable fields before the change"})


class VisitReadQuery(Schema):
    """Why a visit at which a denunciation was handed in is read by someone not assigned to it (audited)."""

    purpose = Text(
        load_default=None,
        validate=validate.Length(min=3, max=400),
        metadata={
            "description": "The purpose of reading a denouncer's visit without an assignment (written to the audit log)"
        },
    )


class FindCitizenIn(Schema):
    """A returning citizen, by any of full name (diacritics and case ignored), identity number, phone: every
    one given must match the same citizen. In the body, so that no identity goes into a URL or a log."""

    full_name = Text(load_default=None, validate=validate.Length(min=1, max=200))
    id_number = Text(load_default=None, validate=validate.Regexp(r"^\d{9,12}$", error="9 to 12 digits."))
    phone = Text(load_default=None, validate=validate.Regexp(r"^\+?\d{8,15}$", error="Not a phone number."))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _one(self, data, **_kwargs):
        if not (data.get("full_name") or data.get("id_number") or data.get("phone")):
            raise ValidationError("give a full name, an identity number or a phone", "full_name")


class VisitQuery(PageQuery):
    date_from = PlausibleDateTime(data_key="from", load_default=None)
    date_to = PlausibleDateTime(data_key="to", load_default=None)
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    field = fields.String(load_default=None)
    unit = fields.String(load_default=None, validate=UNIT_CODE)
    outcome = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))
    mass = fields.Boolean(load_default=None)
    over_level = fields.Boolean(load_default=None)
    repeat = fields.Boolean(load_default=None)
    include_predecessors = fields.Boolean(
        load_default=False,
        metadata={
            "description": "With unit: also the records of every unit it succeeded (merged communes, the district)"
        },
    )
    voided = fields.Boolean(load_default=False, metadata={"description": "Also list voided visits"})
    q = Text(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Search in subject, content and request, ignoring diacritics and case"},
    )
    sort = fields.String(load_default="-received_at", validate=validate.OneOf(sort_choices(SORT_KEYS)))


class VisitPeriodQuery(Schema):
    """A period (required) and the list filters, for exports and statistics."""

    date_from = PlausibleDateTime(data_key="from", required=True)
    date_to = PlausibleDateTime(data_key="to", required=True)
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    field = fields.String(load_default=None)
    unit = fields.String(load_default=None, validate=UNIT_CODE)
    outcome = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))
    mass = fields.Boolean(load_default=None)
    include_predecessors = fields.Boolean(load_default=False)

    @validates_schema
    def _period(self, data, **_kwargs):
        if data["date_to"] <= data["date_from"]:
            raise ValidationError("must be after 'from'", "to")


class ExportQuery(VisitPeriodQuery):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class VisitStatistics(Schema):
    total = fields.Integer()
    citizens = fields.Integer()
    mass = fields.Integer()
    over_level = fields.Integer()
    repeats = fields.Integer()
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_field = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_unit = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_origin_unit = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_outcome = fields.Dict(keys=fields.String(), values=fields.Integer())


class VisitPage(Schema):
    items = fields.List(fields.Nested(VisitOut))
    next_cursor = fields.String(allow_none=True)
