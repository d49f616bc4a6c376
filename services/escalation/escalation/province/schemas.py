"""What the province API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDateTime, Text

from . import domain


class RequestIn(Schema):
    reference = Text(load_default=None, validate=validate.Length(max=60))
    group_size = fields.Integer(required=True, validate=validate.Range(min=1, max=100000))
    place = Text(required=True, validate=validate.Length(min=2, max=300))
    contact = Text(required=True, validate=validate.Length(min=2, max=300))
    unit = Text(load_default=None, validate=validate.Length(min=1, max=10))
    field = Text(load_default=None, validate=validate.Length(min=1, max=40))
    deadline = PlausibleDateTime(required=True)
    note = Text(load_default=None, validate=validate.Length(max=2000))


class RequestOut(Schema):
    id = fields.String()
    reference = fields.String(allow_none=True)
    group_size = fields.Integer()
    place = fields.String()
    contact = fields.String()
    unit = fields.String(allow_none=True)
    field = fields.String(attribute="field_code", allow_none=True)
    note = fields.String(allow_none=True)
    deadline = fields.AwareDateTime()
    deadline_alarmed_at = fields.AwareDateTime(allow_none=True)
    status = fields.String()
    assignees = fields.Dict()
    officers_sent = fields.List(fields.String())
    dispatched_at = fields.AwareDateTime(allow_none=True)
    citizens_returned_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    case_id = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    completed_at = fields.AwareDateTime(allow_none=True)


class RequestQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("open", *domain.STATUSES)))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AssignIn(Schema):
    """Officers of the roster (codes): of the inspectorate (TTR), the board (BTCD), the commune's committee."""

    inspectorate = Text(load_default=None, validate=validate.Length(min=1, max=40))
    board = Text(load_default=None, validate=validate.Length(min=1, max=40))
    commune = Text(load_default=None, validate=validate.Length(min=1, max=40))


class DispatchIn(Schema):
    officers = fields.List(
        Text(validate=validate.Length(min=1, max=40)), required=True, validate=validate.Length(min=1, max=50)
    )


class ReturnedIn(Schema):
    returned_at = PlausibleDateTime(required=True)


class CompleteIn(Schema):
    outcome = Text(required=True, validate=validate.Length(min=2, max=4000))
