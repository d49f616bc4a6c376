"""What the task API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDateTime, Text
from tiepdan_common.web import now

from . import domain


class TaskIn(Schema):
    title = Text(required=True, validate=validate.Length(min=2, max=300))
    owner = Text(
        required=True, validate=validate.Length(min=1, max=40), metadata={"description": "officer code of the roster"}
    )
    due_at = PlausibleDateTime(required=True)


class TaskOut(Schema):
    id = fields.String()
    case_id = fields.String()
    title = fields.String()
    owner = fields.String()
    due_at = fields.AwareDateTime()
    status = fields.String()
    overdue = fields.Function(lambda t: domain.overdue(status=t.status, due_at=t.due_at, now=now()))
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    done_at = fields.AwareDateTime(allow_none=True)
    done_by = fields.String(allow_none=True)
    reminded_at = fields.AwareDateTime(allow_none=True)


class TaskQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(domain.STATUSES))
