"""Case schemas: the full ones for the district and communes, police-safe ones for police and province."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.clock import local_date
from tiepdan_common.schemas import Text

from ..unit import service as units
from . import domain


class TimelineOut(Schema):
    at = fields.AwareDateTime()
    actor = fields.String()
    kind = fields.String()
    detail = fields.Dict()


class ParticipantSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(domain.PARTICIPANT_TYPES))
    value = Text(required=True, validate=validate.Length(min=1, max=120))
    role = Text(load_default=None, validate=validate.Length(max=60))


class CasePublicOut(Schema):
    """What police and province may read of a case: no names, no notes, no free text from the desk."""

    id = fields.String()
    number = fields.String()
    title = fields.Function(lambda case: case.public_title or f"Vụ việc {case.number}")
    unit = fields.String()
    unit_name = fields.Function(
        lambda case: units.unit_name(case.unit, local_date(case.opened_at)),
        metadata={"description": "the unit's name on the day the case opened (escalation's copy of intake's)"},
    )
    field = fields.String(attribute="field_code")
    severity = fields.String()
    level = fields.String()
    status = fields.String()
    owner_agency = fields.String(allow_none=True)
    group_size = fields.Integer(allow_none=True)
    public_order = fields.Boolean()
    opened_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


class TimelinePublicOut(Schema):
    at = fields.AwareDateTime()
    kind = fields.String()


class CasePublicDetailOut(CasePublicOut):
    timeline = fields.List(fields.Nested(TimelinePublicOut))


class CaseOut(CasePublicOut):
    title = fields.String()
    merged_into = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    close_reason = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    complex = fields.Boolean()
    participants = fields.List(fields.Nested(ParticipantSchema))


class LinkedCaseOut(Schema):
    id = fields.String()
    number = fields.String()
    title = fields.Function(lambda case: case.public_title or case.number)
    status = fields.String()


class CaseDetailOut(CaseOut):
    timeline = fields.List(fields.Nested(TimelineOut))
    links = fields.List(fields.Nested(LinkedCaseOut), metadata={"description": "related cases (either way)"})


class CaseQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("open", *domain.STATUSES)))
    unit = fields.String(load_default=None)
    source_type = fields.String(
        load_default=None,
        validate=validate.OneOf(domain.SOURCE_TYPES),
        metadata={"description": "with source_id: the case a visit (incident, ...) opened or joined"},
    )
    source_id = Text(load_default=None, validate=validate.Length(min=1, max=64))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CaseIn(Schema):
    title = Text(required=True, validate=validate.Length(min=3, max=400))
    unit = Text(required=True, validate=validate.Length(min=1, max=10))
    field = Text(required=True, data_key="field", validate=validate.Length(min=1, max=40))
    category = fields.String(
        load_default=None, validate=validate.OneOf(("complaint", "denunciation", "recommendation", "feedback"))
    )
    severity = fields.String(load_default="medium", validate=validate.OneOf(domain.SEVERITIES))
    level = fields.String(load_default="district", validate=validate.OneOf(("commune", "district", "province")))
    group_size = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100000))
    public_order = fields.Boolean(load_default=False)
    complex = fields.Boolean(load_default=False)
    owner_agency = Text(load_default=None, validate=validate.Length(max=40))


class AcknowledgeIn(Schema):
    note = Text(load_default=None, validate=validate.Length(max=2000))


class ProgressIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("in_progress", "citizens_returned", "resolved")))
    note = Text(load_default=None, validate=validate.Length(max=4000))


class CloseIn(Schema):
    reason = fields.String(
        required=True,
        validate=validate.OneOf(domain.CLOSABLE_REASONS),
        metadata={"description": "a code of GET /cases/close-reasons (merged: POST .../merge)"},
    )
    outcome = Text(
        load_default=None,
        validate=validate.Length(max=4000),
        metadata={"description": "the officer's account; kept on the case, never in events"},
    )


class UpdateIn(Schema):
    public_order = fields.Boolean(load_default=None)
    complex = fields.Boolean(load_default=None)
    severity = fields.String(load_default=None, validate=validate.OneOf(domain.SEVERITIES))
    owner_agency = Text(load_default=None, validate=validate.Length(min=1, max=40))
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=None)
    group_size = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100000))


class CloseReasonOut(Schema):
    code = fields.String()
    label = fields.String(metadata={"description": "Vietnamese label for a select"})


class MergeIn(Schema):
    into = fields.String(
        required=True,
        validate=validate.Length(min=1, max=36),
        metadata={"description": "the case that absorbs this one"},
    )


class LinkIn(Schema):
    case_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class ReopenIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=3, max=2000))


class StepOut(Schema):
    cycle = fields.Integer()
    repeat = fields.Integer()
    step_index = fields.Integer()
    target_type = fields.String()
    target_value = fields.String(allow_none=True)
    due_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime()


class EscalationOut(Schema):
    policy = fields.String()
    status = fields.String()
    cycle = fields.Integer()
    step_index = fields.Integer()
    repeat = fields.Integer()
    next_step_at = fields.AwareDateTime(allow_none=True)
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    steps_sent = fields.List(fields.Nested(StepOut))
    failures = fields.Integer(metadata={"description": "steps that raised in a row (each sent to the fallback)"})
    policy_steps = fields.List(
        fields.Dict(),
        metadata={"description": "the steps this escalation runs on: its policy as it was when the cycle started"},
    )
    check_in_minutes = fields.Integer(allow_none=True)
    next_target = fields.Dict(
        allow_none=True,
        metadata={
            "description": "whom the next step tells ({type, value}; the fallback target for a step that cannot run); "
            "null when no step is due (acknowledged, following, settled, exhausted, stopped, failed)"
        },
    )


class ReportQuery(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
    prolonged_days = fields.Integer(load_default=None, validate=validate.Range(min=0, max=3650))
    include_closed = fields.Boolean(load_default=False)
