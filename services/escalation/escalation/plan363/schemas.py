"""What the plan363 API reads and answers (marshmallow schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDate, Text

from ..report import labels


class Plan363In(Schema):
    source = fields.String(validate=validate.OneOf(tuple(labels.PLAN363_SOURCE)))
    on_central_list = fields.Boolean()
    review_result = Text(allow_none=True, validate=validate.Length(max=4000))
    plan_agreed = fields.Boolean()
    plan_agreed_on = PlausibleDate(allow_none=True)
    plan_summary = Text(allow_none=True, validate=validate.Length(max=4000))
    agreed_deadline = PlausibleDate(allow_none=True)
    lead_agency = Text(allow_none=True, validate=validate.Length(max=120))
    progress = fields.String(validate=validate.OneOf(tuple(labels.PLAN363_PROGRESS)))
    note = Text(allow_none=True, validate=validate.Length(max=4000))
    version = fields.Integer(load_default=None, metadata={"description": "the version read (409 if changed since)"})


class Plan363Out(Schema):
    case_id, number, title, unit, field = (fields.String() for _ in range(5))
    category, category_name = fields.String(allow_none=True), fields.String()
    status, status_name, source, source_name = (fields.String() for _ in range(4))
    on_central_list, plan_agreed, overdue = fields.Boolean(), fields.Boolean(), fields.Boolean()
    review_result, plan_summary = fields.String(allow_none=True), fields.String(allow_none=True)
    plan_agreed_on, agreed_deadline = fields.Date(allow_none=True), fields.Date(allow_none=True)
    lead_agency, note = fields.String(allow_none=True), fields.String(allow_none=True)
    progress, progress_name = fields.String(), fields.String()
    version = fields.Integer()
    added_at, updated_at = fields.AwareDateTime(), fields.AwareDateTime()


class ChangeOut(Schema):
    version = fields.Integer()
    at = fields.AwareDateTime()
    actor = fields.String()
    progress = fields.String()
    progress_name = fields.Function(lambda c: labels.label(labels.PLAN363_PROGRESS, c.progress))
    changes = fields.Dict()


class Plan363Detail(Plan363Out):
    history = fields.List(fields.Nested(ChangeOut))


class ListQuery(Schema):
    progress = fields.String(load_default=None, validate=validate.OneOf(tuple(labels.PLAN363_PROGRESS)))
    on_central_list = fields.Boolean(load_default=None)
    overdue = fields.Boolean(load_default=None)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))
    unit = Text(
        load_default=None,
        validate=validate.Length(max=10),
        metadata={"description": "issuing unit of the heading; the caller's by default"},
    )
    doc_number = Text(load_default=None, validate=validate.Length(max=30))
    signer = Text(load_default=None, validate=validate.Length(max=120))
    signer_title = Text(load_default=None, validate=validate.Length(max=120))
