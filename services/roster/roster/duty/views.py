"""The duty roster over HTTP: who is on duty and on call, shifts, and the board's changes to periods,
requirements and assignments."""

from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint

from tiepdan_common import web
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from .. import calendar
from ..database import IdempotencyRecord
from . import changes, domain, generation, service
from .schemas import (
    DUTY_ROLES,
    SHIFT_KINDS,
    AddAssignmentIn,
    AssignmentOut,
    GenerateOut,
    HolidayOut,
    HolidayQuery,
    NextOut,
    OnCallOut,
    OnCallQuery,
    OnDutyOut,
    OnDutyQuery,
    OverrideIn,
    PeriodIn,
    PeriodOut,
    RequirementIn,
    RequirementOut,
    ShiftOut,
    ShiftQuery,
)

blp = Blueprint(
    "duty", __name__, description="Duty roster: on duty and on call, shifts, periods, requirements, assignments"
)


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
    filtered = bool(query["duty_role"] or query["agency"] or query["with_on_call"])
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


# --------------------------------------------------------------------------- the board's changes


def _actor() -> str:
    return current_identity().subject


@blp.get("/periods")
@require("roster:read")
@blp.response(200, PeriodOut(many=True))
def list_periods():
    """Duty periods, such as a National Assembly session and the ordinary current period."""
    return service.list_periods(db_session=db_session())


@blp.post("/periods")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(PeriodIn)
@blp.response(201, PeriodOut)
@blp.alt_response(409, schema=ProblemSchema)
@blp.alt_response(422, schema=ProblemSchema)
def create_period(data):
    """Create a duty period (not overlapping another); generate its roster next."""
    return changes.create_period(
        db_session=db_session(), actor=_actor(), now=web.now(), calendar=calendar.current(), **data
    )


@blp.post("/periods/<code>/generate")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.response(200, GenerateOut)
@blp.alt_response(404, schema=ProblemSchema)
@blp.alt_response(422, schema=ProblemSchema)
def generate(code):
    """(Re)generate the period's roster by fair rotation; overrides and approved swaps stay where they are."""
    period = service.get_period(db_session=db_session(), code=code)
    if period is None:
        raise Problem(404, "No such period.")
    count = generation.generate(
        db_session=db_session(), period=period, calendar=calendar.current(), actor=_actor(), now=web.now()
    )
    return {"period": period, "assignments": count}


@blp.get("/requirements")
@require("roster:read")
@blp.response(200, RequirementOut(many=True))
def list_requirements():
    """What each kind of shift needs: duty role, agency kinds to draw from, how many."""
    return service.ensure_requirements(db_session=db_session())


@blp.put("/requirements/<shift_kind>/<duty_role>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(RequirementIn)
@blp.response(200, RequirementOut)
@blp.alt_response(422, schema=ProblemSchema)
def set_requirement(data, shift_kind, duty_role):
    """Set what a kind of shift needs in one duty role (applies at the next generation)."""
    if shift_kind not in SHIFT_KINDS:
        raise Problem(404, "No such shift kind.")
    if duty_role not in DUTY_ROLES:
        raise Problem(404, "No such duty role.")
    return changes.set_requirement(
        db_session=db_session(), shift_kind=shift_kind, duty_role=duty_role, actor=_actor(), now=web.now(), **data
    )


@blp.post("/shifts/<int:shift_id>/assignments")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(AddAssignmentIn)
@blp.response(201, AssignmentOut)
@blp.alt_response(409, schema=ProblemSchema)
def add_assignment(data, shift_id):
    """Put an officer on a shift by hand (kept on regeneration)."""
    return changes.add_assignment(
        db_session=db_session(),
        shift_id=shift_id,
        officer_code=data["officer"],
        duty_role=data["duty_role"],
        note=data["note"],
        actor=_actor(),
        now=web.now(),
    )


@blp.put("/assignments/<int:assignment_id>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(OverrideIn)
@blp.response(200, AssignmentOut)
@blp.alt_response(409, schema=ProblemSchema)
def override(data, assignment_id):
    """Override: another officer takes this assignment (kept on regeneration)."""
    return changes.override(
        db_session=db_session(),
        assignment_id=assignment_id,
        officer_code=data["officer"],
        note=data["note"],
        actor=_actor(),
        now=web.now(),
    )


@blp.delete("/assignments/<int:assignment_id>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema)
def remove_assignment(assignment_id):
    """Take an officer off a shift."""
    changes.remove_assignment(db_session=db_session(), assignment_id=assignment_id, actor=_actor(), now=web.now())
