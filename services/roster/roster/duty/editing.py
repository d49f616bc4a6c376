"""Editing the roster over HTTP: periods, coverage requirements, generation, overrides."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tiepdan_common import web
from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import PlausibleDate, ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, require

from .. import calendar
from ..database import IdempotencyRecord
from ..directory.models import AGENCY_KINDS
from . import generation, service
from .models import PERIOD_KINDS
from .views import DUTY_ROLES, AssignmentOut

blp = Blueprint("roster-editing", __name__, description="Duty periods, requirements, generation and overrides")

SHIFT_KINDS = ("morning", "afternoon", "standby", "on_call")


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
    return service.create_period(
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
    return service.set_requirement(
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
    return service.add_assignment(
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
    return service.override(
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
    service.remove_assignment(db_session=db_session(), assignment_id=assignment_id, actor=_actor(), now=web.now())
