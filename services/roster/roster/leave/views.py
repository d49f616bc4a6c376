"""Leave and unavailability over HTTP."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load, validate

from tiepdan_common import web
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import PlausibleDate, PlausibleDateTime, ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from ..duty.domain import local_day_bounds
from . import service
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


@blp.post("/officers/<code>/leave")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(LeaveIn)
@blp.response(201, LeaveRecorded)
@blp.alt_response(404, schema=ProblemSchema)
def record_leave(data, code):
    """Record leave or sickness; by default the officer's shifts in it are handed to others of the same pool."""
    leave, covered = service.record(
        db_session=db_session(), officer_code=code, actor=current_identity().subject, now=web.now(), **data
    )
    return {"leave": leave, "covered": covered}


@blp.get("/leave")
@require("roster:read")
@blp.arguments(LeaveQuery, location="query")
@blp.response(200, LeaveOut(many=True))
def list_leave(query):
    """Leave, optionally of one officer and overlapping a range."""
    return service.list_leave(db_session=db_session(), **query)


@blp.delete("/leave/<int:leave_id>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema)
def cancel_leave(leave_id):
    """Withdraw leave."""
    service.cancel(db_session=db_session(), leave_id=leave_id, actor=current_identity().subject, now=web.now())
