"""What the policy API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import Text

from . import domain


class TargetSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(domain.TARGET_TYPES))
    value = Text(load_default=None, allow_none=True, validate=validate.Length(max=120))


class StepSchema(Schema):
    target = fields.Nested(TargetSchema, required=True)
    wait_minutes = fields.Integer(load_default=15, validate=validate.Range(min=0, max=7 * 24 * 60))
    public_order_only = fields.Boolean(load_default=False)


class PolicyIn(Schema):
    description = Text(load_default=None, validate=validate.Length(max=2000))
    priority = fields.Integer(load_default=100, validate=validate.Range(min=0, max=10000))
    severities = fields.List(fields.String(validate=validate.OneOf(domain.SEVERITIES)), load_default=list)
    public_order_only = fields.Boolean(load_default=False)
    hours_from = fields.Integer(load_default=None, validate=validate.Range(min=0, max=23))
    hours_to = fields.Integer(load_default=None, validate=validate.Range(min=0, max=24))
    first_wait_minutes = fields.Integer(load_default=0, validate=validate.Range(min=0, max=7 * 24 * 60))
    steps = fields.List(fields.Nested(StepSchema), required=True, validate=validate.Length(min=1, max=20))
    repeat_from = fields.Integer(load_default=None, validate=validate.Range(min=0))
    max_repeats = fields.Integer(load_default=0, validate=validate.Range(min=0, max=20))
    progress_timeout_minutes = fields.Integer(load_default=60, validate=validate.Range(min=1, max=7 * 24 * 60))
    active = fields.Boolean(load_default=True)
    check_in_minutes = fields.Integer(
        load_default=240,
        allow_none=True,
        validate=validate.Range(min=1, max=30 * 24 * 60),
        metadata={"description": "after progress, the next report is due within this; none: not chased"},
    )
    group_size_thresholds = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=100000)),
        load_default=lambda: [20, 50],
        validate=validate.Length(max=10),
        metadata={"description": "a crowd crossing one of these sizes matters"},
    )
    reescalate_on = fields.List(
        fields.String(validate=validate.OneOf(domain.DEFAULT_TRIGGERS)),
        load_default=lambda: list(domain.DEFAULT_TRIGGERS),
        metadata={"description": "the changes that start the escalation again"},
    )


class PolicyOut(PolicyIn):
    id = fields.String()
    name = fields.String()
    steps = fields.List(fields.Dict())
