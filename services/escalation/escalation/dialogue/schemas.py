"""What the dialogue API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDateTime, Text


class ParticipantIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    role = Text(load_default=None, validate=validate.Length(max=120))
    unit = Text(load_default=None, validate=validate.Length(max=120))


class DialogueIn(Schema):
    scheduled_at = PlausibleDateTime(required=True)
    place = Text(required=True, validate=validate.Length(min=2, max=300))
    participants = fields.List(fields.Nested(ParticipantIn), load_default=list)


class DialogueChangeIn(Schema):
    scheduled_at = PlausibleDateTime(load_default=None)
    place = Text(load_default=None, validate=validate.Length(min=2, max=300))
    participants = fields.List(fields.Nested(ParticipantIn), load_default=None)


class DialogueRecordIn(Schema):
    status = fields.String(load_default="held", validate=validate.OneOf(("held", "cancelled")))
    held_at = PlausibleDateTime(
        load_default=None, metadata={"description": "when it was held; the scheduled time by default"}
    )
    place = Text(load_default=None, validate=validate.Length(min=2, max=300))
    minutes = Text(load_default=None, validate=validate.Length(max=20000))
    outcome = Text(load_default=None, validate=validate.Length(max=4000))
    participants = fields.List(fields.Nested(ParticipantIn), load_default=None)


class DialogueOut(Schema):
    id = fields.String()
    case_id = fields.String()
    scheduled_at = fields.AwareDateTime()
    held_at = fields.AwareDateTime(allow_none=True)
    place = fields.String()
    participants = fields.List(fields.Dict())
    status = fields.String()
    minutes = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.AwareDateTime()
