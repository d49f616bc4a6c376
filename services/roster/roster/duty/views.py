"""The duty roster over HTTP: shifts and who is on duty now."""

from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common import web
from tiepdan_common.errors import field_error
from tiepdan_common.schemas import PlausibleDateTime, ProblemSchema
from tiepdan_common.web import db_session, require

from .. import calendar
from ..directory.views import ChannelOut
from . import domain, service

blp = Blueprint("duty", __name__, description="Duty roster: shifts, on duty, on call")

DUTY_ROLES = ("lead", "inspector", "department", "police", "standby", "leader_on_call")


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


def _officer_row(shift, assignment) -> dict:
    officer = assignment.officer
    return {
        "code": officer.code,
        "full_name": officer.full_name,
        "agency": officer.agency_code,
        "agency_name": officer.agency.name,
        "role": officer.role,
        "duty_role": assignment.duty_role,
        "shift_id": shift.id,
        "shift_kind": shift.kind,
        "shift_ends_at": shift.ends_at,
        "channels": officer.channels,
    }


@blp.get("/on-duty")
@require("roster:read")
@blp.arguments(OnDutyQuery, location="query")
@blp.response(200, OnDutyOut)
def on_duty(query):
    """Who is on duty at an instant (default now), by duty role or agency, and the leader on call."""
    at = query["at"] or web.now()
    # One indexed query for the instant; the filters apply to the few rows it returns.
    every = service.on_duty(db_session=db_session(), at=at)
    rows = [
        (s, a)
        for s, a in every
        if (not query["duty_role"] or a.duty_role == query["duty_role"])
        and (not query["agency"] or a.officer.agency_code == query["agency"])
    ]
    filtered = bool(query["duty_role"] or query["agency"])
    # Unfiltered, the list is who is at the board; on-call people are named apart. Asked for a role or an
    # agency (role=police at 02:00), the answer includes whoever of them is on call.
    officers = [
        _officer_row(s, a)
        for s, a in rows
        if a.duty_role != "leader_on_call" and (filtered or s.kind not in domain.ON_CALL_KINDS)
    ]
    leaders = [_officer_row(s, a) for s, a in every if a.duty_role == "leader_on_call"]
    police = [_officer_row(s, a) for s, a in every if s.kind in domain.ON_CALL_KINDS and a.duty_role == "police"]
    if query["duty_role"] == "leader_on_call":
        officers = leaders
    return {"at": at, "officers": officers, "leader_on_call": leaders[0] if leaders else None, "police_on_call": police}


@blp.get("/on-duty/next")
@require("roster:read")
@blp.arguments(OnDutyQuery, location="query")
@blp.response(200, NextOut)
def next_on_duty(query):
    """Who is next: the officers of the first shift starting after an instant (default now), by role or agency."""
    at = query["at"] or web.now()
    rows = service.next_on_duty(db_session=db_session(), at=at, duty_role=query["duty_role"], agency=query["agency"])
    return {
        "at": at,
        "starts_at": rows[0][0].starts_at if rows else None,
        "officers": [_officer_row(s, a) for s, a in rows],
    }


@blp.get("/on-call")
@require("roster:read")
@blp.arguments(OnCallQuery, location="query")
@blp.response(200, OnCallOut)
def on_call(query):
    """The district leader on call at an instant (default now); the day's on-call runs midnight to midnight."""
    at = query["at"] or web.now()
    found = service.on_call(db_session=db_session(), at=at)
    return {"at": at, "leader_on_call": _officer_row(*found) if found else None}


@blp.get("/holidays")
@require("roster:read")
@blp.arguments(HolidayQuery, location="query")
@blp.response(200, HolidayOut(many=True))
def list_holidays(query):
    """Days off (standby all day) and make-up working days (office hours), from reference/holidays-vn.json."""
    return service.calendar_days(calendar=calendar.current(), year=query["year"])


@blp.get("/shifts/<int:shift_id>")
@require("roster:read")
@blp.response(200, ShiftOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_shift(shift_id):
    """One shift with its assignments."""
    return service.get_shift(db_session=db_session(), shift_id=shift_id)


@blp.get("/shifts")
@require("roster:read")
@blp.arguments(ShiftQuery, location="query")
@blp.response(200, ShiftOut(many=True))
def list_shifts(query):
    """Shifts overlapping a time range (at most 62 days), with their assignments."""
    if query["end"] <= query["start"]:
        raise field_error("to", "must be after from")
    if query["end"] - query["start"] > dt.timedelta(days=62):
        raise field_error("to", "the range may span at most 62 days")
    return service.shifts_between(db_session=db_session(), start=query["start"], end=query["end"])
