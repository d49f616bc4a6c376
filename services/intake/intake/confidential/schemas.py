"""The identity-read audit log as inspectors see it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PageQuery, PlausibleDateTime


class IdentityReadOut(Schema):
    id = fields.Integer()
    read_at = fields.AwareDateTime()
    reader = fields.String()
    reader_kind = fields.String()
    reader_unit = fields.String(allow_none=True)
    officer = fields.String(allow_none=True)
    record_type = fields.String()
    record_id = fields.String()
    person_count = fields.Integer()
    request_id = fields.String(allow_none=True)
    purpose = fields.String(allow_none=True)


class IdentityReadQuery(PageQuery):
    date_from = PlausibleDateTime(data_key="from", load_default=None)
    date_to = PlausibleDateTime(data_key="to", load_default=None)
    reader = fields.String(load_default=None, validate=validate.Length(max=120))
    record_type = fields.String(
        load_default=None, validate=validate.OneOf(("visit", "petition", "petition_image", "petition_content"))
    )
    record_id = fields.String(load_default=None, validate=validate.Length(max=36))


class IdentityReadPage(Schema):
    items = fields.List(fields.Nested(IdentityReadOut))
    next_cursor = fields.String(allow_none=True)
