"""What the reference endpoints take and give."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tiepdan_common.schemas import PlausibleDate, Text

UNIT_CODE = validate.Regexp(r"^\d{2,5}$", error="Not an administrative unit code.")
LEVELS = ("province", "district", "commune")
SUCCESSION_KINDS = ("merge", "split", "rename", "abolish", "transfer")


# Units and legal rules reach back to the state's founding; records stay within the plausible range.
EARLIEST_RECORD = dt.date(1945, 9, 2)


class UnitOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True, metadata={"description": "Last day in force; null while in force"})
    source = fields.String(metadata={"description": "The legal act or register the version comes from"})
    confirmed = fields.Boolean(metadata={"description": "false: the public sources did not confirm it (see note)"})
    note = fields.String(allow_none=True)


class UnitQuery(Schema):
    on = PlausibleDate(load_default=None, metadata={"description": "Only the versions in force on this day"})


class UnitIn(Schema):
    code = fields.String(required=True, validate=UNIT_CODE)
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent_code = fields.String(load_default=None, validate=UNIT_CODE)
    valid_from = PlausibleDate(earliest=EARLIEST_RECORD, required=True)
    valid_to = PlausibleDate(earliest=EARLIEST_RECORD, load_default=None)
    source = Text(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "The legal act or register the version comes from"},
    )
    confirmed = fields.Boolean(load_default=True)
    note = Text(load_default=None, validate=validate.Length(max=2000))


class UnitPatch(Schema):
    name = Text(validate=validate.Length(min=1, max=200))
    valid_to = PlausibleDate(earliest=EARLIEST_RECORD, allow_none=True)
    source = Text(validate=validate.Length(min=1, max=2000))
    confirmed = fields.Boolean()
    note = Text(allow_none=True, validate=validate.Length(max=2000))
    reason = Text(load_default=None, validate=validate.Length(max=2000))


class SuccessionIn(Schema):
    predecessor_id = fields.Integer(required=True, strict=True)
    successor_id = fields.Integer(required=True, strict=True)
    kind = fields.String(required=True, validate=validate.OneOf(SUCCESSION_KINDS))
    effective_on = PlausibleDate(earliest=EARLIEST_RECORD, required=True)
    legal_act = Text(required=True, validate=validate.Length(min=1, max=2000))
    confirmed = fields.Boolean(load_default=True)


class SuccessionQuery(Schema):
    unit_id = fields.Integer(load_default=None, metadata={"description": "Only the successions of this version"})


class SuccessionOut(Schema):
    id = fields.Integer()
    predecessor_id = fields.Integer()
    predecessor_code = fields.String(dump_only=True)
    predecessor_name = fields.String(dump_only=True)
    successor_id = fields.Integer()
    successor_code = fields.String(dump_only=True)
    successor_name = fields.String(dump_only=True)
    kind = fields.String()
    effective_on = fields.Date()
    legal_act = fields.String()
    confirmed = fields.Boolean()


class FieldOut(Schema):
    code = fields.String()
    name_vi = fields.String()
    name_en = fields.String()
    agency_code = fields.String()


class HolidayIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(
        load_default="holiday",
        validate=validate.OneOf(("holiday", "working_day")),
        metadata={"description": "holiday (a day off) or working_day (a make-up working day)"},
    )
    source = Text(required=True, validate=validate.Length(min=1, max=2000))
    in_exchange_for = PlausibleDate(
        load_default=None,
        metadata={"description": "For a make-up working day: the weekday off it compensates"},
    )
    confirmed = fields.Boolean(load_default=True)
    note = Text(load_default=None, validate=validate.Length(max=2000))


class HolidayOut(Schema):
    date = fields.Date()
    name = fields.String()
    kind = fields.String()
    source = fields.String(allow_none=True)
    in_exchange_for = fields.Date(allow_none=True)
    confirmed = fields.Boolean()
    note = fields.String(allow_none=True)


class CalendarDayIn(HolidayIn):
    date = PlausibleDate(required=True)
    source = Text(load_default=None, validate=validate.Length(min=1, max=2000))  # the year's, when not given


class CalendarYearIn(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    source = Text(required=True, validate=validate.Length(min=1, max=2000))
    confirmed = fields.Boolean(load_default=True)
    note = Text(load_default=None, validate=validate.Length(max=2000))
    days = fields.List(
        fields.Nested(CalendarDayIn),
        required=True,
        validate=validate.Length(min=1, max=120),
        metadata={"description": "The year's days off and make-up working days"},
    )


class CalendarYearOut(Schema):
    year = fields.Integer()
    confirmed = fields.Boolean()
    source = fields.String()
    note = fields.String(allow_none=True)


class ReasonQuery(Schema):
    reason = Text(load_default=None, validate=validate.Length(max=2000))


class RuleIn(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+(\.[a-z_]+)+$", error="Not a rule key."))
    effective_from = PlausibleDate(earliest=EARLIEST_RECORD, required=True)
    value = fields.Raw(required=True, metadata={"description": "The rule's value (number, boolean, list or object)"})
    source = Text(required=True, validate=validate.Length(min=1, max=2000))
    confirmed = fields.Boolean(load_default=True)
    note = Text(load_default=None, validate=validate.Length(max=2000))

    @validates_schema
    def _value(self, data, **_kwargs):
        if data.get("value") is None:
            raise ValidationError("must not be null", "value")


class RuleOut(Schema):
    key = fields.String()
    effective_from = fields.Date()
    value = fields.Raw()
    source = fields.String()
    confirmed = fields.Boolean()
    note = fields.String(allow_none=True)


class ChangeOut(Schema):
    id = fields.Integer()
    changed_at = fields.AwareDateTime()
    actor = fields.String()
    table_name = fields.String()
    action = fields.String()
    record_key = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    reason = fields.String(allow_none=True)
