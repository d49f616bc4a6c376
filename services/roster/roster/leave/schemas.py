"""Leave's request and answer schemas."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load, validate

from tiepdan_common.schemas import PlausibleDate, PlausibleDateTime, Text

from ..duty.domain import local_day_bounds
from .models import LEAVE_KINDS

blp = Blueprint("leave", __name__, description="Leave and unavailability of officers")


class LeaveIn(Schema):
    kind = fields.String(load_default="leave", validate=validate.OneOf(LEAVE_KINDS))
    starts_at = PlausibleDateTime(metadata={"description": "or give whole local days with starts_on/ends_on"})
    ends_at = PlausibleDateTime()
    starts_on = PlausibleDate(load_only=True)
    ends_on = PlausibleDate(load_only=True, metadata={"description": "inclusive"})
    reason = Text(load_default="", validate=validate.Length(max=400))
    cover = fields.Boolean(load_default=True, metadata={"description": "hand the officer's shifts to others now"})

    @post_load
    def _bounds(self, data, **_):
        days = data.pop("starts_on", None), data.pop("ends_on", None)
        if "starts_at" in data or "ends_at" in data:
            for name in ("starts_at", "ends_at"):
                if name not in data:
                    raise ValidationError("required with the other bound", name)
            return data
        if None in days:
            raise ValidationError("give starts_at and ends_at, or starts_on and ends_on", "starts_on")
        if days[1] < days[0]:
            raise ValidationError("must not be before starts_on", "ends_on")
        data["starts_at"], data["ends_at"] = local_day_bounds(*days)
        return data


class LeaveOut(Schema):
    id = fields.Integer()
    officer = fields.String(attribute="officer_code")
    kind = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    reason = fields.String()
    created_by = fields.String()


class CoverChange(Schema):
    shift_id = fields.Integer()
    starts_at = fields.AwareDateTime()
    duty_role = fields.String()
    previous_officer = fields.String()
    officer = fields.String(allow_none=True, metadata={"description": "null when nobody was free: a gap"})


class LeaveRecorded(Schema):
    leave = fields.Nested(LeaveOut)
    covered = fields.List(fields.Nested(CoverChange))


class LeaveQuery(Schema):
    officer = fields.String(load_default=None)
    start = PlausibleDateTime(data_key="from", load_default=None)
    end = PlausibleDateTime(data_key="to", load_default=None)
