"""What a desk sends and gets back for a petition's steps, repeats, corrections, handlers and due list."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDate, Text

from ..visit.schemas import UNIT_CODE
from .lifecycle import OUTCOMES, STATES, STEPS


class StepIn(Schema):
    """One step of the lifecycle; which fields it needs depends on the step (see GET /petitions/steps)."""

    step = fields.String(required=True, validate=validate.OneOf(tuple(STEPS)))
    taken_on = PlausibleDate(load_default=None, metadata={"description": "The day of the step; defaults to today"})
    reason = Text(load_default=None, validate=validate.Length(min=1, max=4000))
    ground = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "not_accept: a code of GET /petitions/grounds"},
    )
    to_body = Text(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "guide, forward, reforward: the receiving body"},
    )
    letter_number = Text(load_default=None, validate=validate.Length(min=1, max=60))
    letter_date = PlausibleDate(load_default=None)
    to_unit = fields.String(
        load_default=None,
        validate=UNIT_CODE,
        metadata={"description": "return_to_lower_level: the commune it goes back to"},
    )
    complexity = fields.String(
        load_default=None,
        validate=validate.OneOf(("normal", "complex_or_remote", "both")),
        metadata={"description": "accept (complaint): complex or remote area, or both"},
    )
    part = Text(
        load_default=None,
        validate=validate.Length(min=1, max=4000),
        metadata={"description": "withdraw_part: what is withdrawn"},
    )
    held_on = PlausibleDate(load_default=None, metadata={"description": "dialogue_held / dialogue_skipped: the day"})
    valid_reason = fields.Boolean(
        load_default=None, metadata={"description": "dialogue_skipped: the complainant had a valid reason"}
    )
    outcome = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))
    resolution = Text(load_default=None, validate=validate.Length(min=1, max=20000))
    citizen_informed_on = PlausibleDate(load_default=None)


class RepeatDecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("confirm", "override")))
    reason = Text(load_default=None, validate=validate.Length(min=1, max=4000))


class PetitionCorrectionIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=4000))
    subject = Text(validate=validate.Length(max=200))
    content = Text(validate=validate.Length(min=1, max=20000))
    citizen_request = Text(validate=validate.Length(max=20000))
    prior_handling = Text(validate=validate.Length(max=20000))
    field = fields.String(validate=validate.Length(min=1, max=40))
    origin_unit = fields.String(validate=UNIT_CODE)
    violator = Text(validate=validate.Length(max=400))
    evidence = Text(validate=validate.Length(max=20000))


class PetitionVoidIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=4000))


class HandlerIn(Schema):
    officer = fields.String(required=True, validate=validate.Length(min=1, max=120))


class DetailQuery(Schema):
    purpose = Text(
        load_default=None,
        validate=validate.Length(min=3, max=400),
        metadata={"description": "Why a record you are not assigned to is read unmasked (kept in the audit log)"},
    )


class DueQuery(Schema):
    within = fields.Integer(load_default=7, validate=validate.Range(min=0, max=366))


class DueItem(Schema):
    petition_id = fields.String()
    number = fields.String()
    category = fields.String()
    status = fields.String()
    stage = fields.String(
        metadata={"description": "acceptance, response, initial_handling, resolution, inform_citizen"}
    )
    deadline = fields.Date()
    days_left = fields.Integer(metadata={"description": "Negative: days overdue"})
    overdue = fields.Boolean()
    receiving_unit = fields.String()
    lower_unit = fields.String(allow_none=True)
    field = fields.String()


class DueList(Schema):
    items = fields.List(fields.Nested(DueItem))


class GroundOut(Schema):
    code = fields.String()
    category = fields.String()
    name_vi = fields.String()
    source = fields.String()
    effective_from = fields.Date()


class GroundList(Schema):
    items = fields.List(fields.Nested(GroundOut))


class StepRule(Schema):
    name = fields.String()
    label_vi = fields.String()
    from_states = fields.List(fields.String())
    to_state = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    needs = fields.List(fields.String())
    basis = fields.String()
    available_from = fields.Dict(keys=fields.String(), values=fields.Date())


class StepCatalogue(Schema):
    states = fields.List(fields.String(), dump_default=list(STATES))
    items = fields.List(fields.Nested(StepRule))


class MatterPetition(Schema):
    id = fields.String()
    number = fields.String()
    category = fields.String()
    status = fields.String()
    complaint_round = fields.Integer()
    received_at = fields.AwareDateTime()
    sender_count = fields.Integer()
    repeat_of = fields.String(allow_none=True)
    receiving_unit = fields.String()


class MatterVisit(Schema):
    id = fields.String()
    serial = fields.String()
    received_at = fields.AwareDateTime()
    category = fields.String()
    outcome = fields.String()
    group_size = fields.Integer()
    receiving_unit = fields.String()


class MatterStep(Schema):
    petition_id = fields.String()
    number = fields.String()
    step = fields.String()
    to_status = fields.String()
    taken_on = fields.Date()
    recorded_by = fields.String()


class MatterOut(Schema):
    matter_key = fields.String()
    petitions = fields.List(fields.Nested(MatterPetition))
    visits = fields.List(fields.Nested(MatterVisit))
    history = fields.List(fields.Nested(MatterStep))
