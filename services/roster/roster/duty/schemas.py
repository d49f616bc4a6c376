"""The duty roster's request and answer schemas: who is on duty, shifts, periods, requirements, assignments."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tiepdan_common.schemas import PlausibleDate, PlausibleDateTime, Text

from ..directory.models import AGENCY_KINDS
from ..directory.schemas import ChannelOut
from .models import PERIOD_KINDS

DUTY_ROLES = ("lead", "inspector", "department", "police", "standby", "leader_on_call")
SHIFT_KINDS = ("morning", "afternoon", "standby", "on_call")


class AssignmentOut(Schema):
    id = fields.Integer()
    officer = fields.String(attribute="officer_code")
    full_name = fields.Function(lambda a: a.officer.full_name)
    agency = fields.Function(lambda a: a.officer.agency_code)
    duty_role = fields.String()
    source = fields.String()
    note = fields.String()


class ShiftOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    period = fields.Function(lambda s: s.period.code)
    assignments = fields.List(fields.Nested(AssignmentOut))


class OnDutyOfficer(Schema):
    code = fields.String()
    full_name = fields.String()
    agency = fields.String()
    agency_name = fields.String()
    role = fields.String()
    duty_role = fields.String()
    shift_id = fields.Integer()
    shift_kind = fields.String()
    shift_ends_at = fields.AwareDateTime()
    channels = fields.List(fields.Nested(ChannelOut))


class OnDutyOut(Schema):
    at = fields.AwareDateTime()
    officers = fields.List(
        fields.Nested(OnDutyOfficer),
        metadata={"description": "people at the board; with a role or agency filter, also whoever of them is on call"},
    )
    leader_on_call = fields.Nested(OnDutyOfficer, allow_none=True)
    police_on_call = fields.List(
        fields.Nested(OnDutyOfficer),
        metadata={"description": "police officers on call (midnight to midnight), reachable at every hour"},
    )


class OnDutyQuery(Schema):
    at = PlausibleDateTime(load_default=None)
    duty_role = fields.String(data_key="role", load_default=None, validate=validate.OneOf(DUTY_ROLES))
    agency = fields.String(load_default=None)
    with_on_call = fields.Boolean(
        load_default=False,
        metadata={
            "description": "list on-call officers among the officers even unfiltered, as a role or agency filter "
            "does: one answer a client can filter by agency itself"
        },
    )


class HolidayOut(Schema):
    date = fields.Date()
    name = fields.String()
    kind = fields.String(
        metadata={
            "description": "day_off (no office hours) or makeup_working_day (a Saturday "
            "worked for a bridge day off: office hours)"
        }
    )
    source = fields.String(metadata={"description": "the law or Government notice behind the day"})
    confirmed = fields.Boolean(metadata={"description": "false when the notice could not be checked yet"})
    in_exchange_for = fields.Date(allow_none=True)


class HolidayQuery(Schema):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class OnCallQuery(Schema):
    at = PlausibleDateTime(load_default=None)


class OnCallOut(Schema):
    at = fields.AwareDateTime()
    leader_on_call = fields.Nested(OnDutyOfficer, allow_none=True)


class NextOut(Schema):
    at = fields.AwareDateTime()
    starts_at = fields.AwareDateTime(allow_none=True)
    officers = fields.List(fields.Nested(OnDutyOfficer))


class ShiftQuery(Schema):
    start = PlausibleDateTime(data_key="from", required=True)
    end = PlausibleDateTime(data_key="to", required=True)


class PeriodIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,59}$"))
    name = Text(required=True, validate=validate.Length(min=2, max=300))
    starts_on = PlausibleDate(required=True)
    ends_on = PlausibleDate(required=True)
    kind = fields.String(
        load_default="special",
        validate=validate.OneOf(PERIOD_KINDS),
        metadata={"description": "special (e.g. an NA session: its shifts replace ordinary ones) or ordinary"},
    )

    @validates_schema
    def _order(self, data, **_):
        if data["ends_on"] < data["starts_on"]:
            raise ValidationError("must not be before starts_on", "ends_on")
        if (data["ends_on"] - data["starts_on"]).days > 366:
            raise ValidationError("a period spans at most a year", "ends_on")


class PeriodOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    kind = fields.String()


class GenerateOut(Schema):
    period = fields.Nested(PeriodOut)
    assignments = fields.Integer()


class RequirementIn(Schema):
    agency_kinds = fields.List(
        fields.String(validate=validate.OneOf(AGENCY_KINDS)), required=True, validate=validate.Length(min=1)
    )
    count = fields.Integer(required=True, validate=validate.Range(min=0, max=20))


class RequirementOut(Schema):
    shift_kind = fields.String()
    duty_role = fields.String()
    agency_kinds = fields.Function(lambda r: list(r.kinds))
    count = fields.Integer()


class OverrideIn(Schema):
    officer = fields.String(required=True)
    note = Text(load_default="", validate=validate.Length(max=400))


class AddAssignmentIn(OverrideIn):
    duty_role = fields.String(required=True, validate=validate.OneOf(DUTY_ROLES))
