"""Reception days' request and answer schemas."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDate, Text

blp = Blueprint("reception", __name__, description="Leaders' reception days (Law 42/2013)")


class ReceptionIn(Schema):
    officer = fields.String(required=True)
    date = PlausibleDate(required=True)
    place = Text(load_default="", validate=validate.Length(max=300))
    on_behalf_of = fields.String(
        load_default=None,
        metadata={"description": "the chair a deputy receives for (refused where the law in force forbids delegation)"},
    )


class ReceptionOut(Schema):
    id = fields.Integer()
    officer = fields.String(attribute="officer_code")
    full_name = fields.Function(lambda r: r.officer.full_name)
    date = fields.Date()
    place = fields.String()
    published_at = fields.AwareDateTime()
    published_in_time = fields.Boolean(
        metadata={"description": "published the working days ahead the rule in force asks (5, Art. 24(4))"}
    )
    on_behalf_of = fields.String(allow_none=True)


class ReceptionQuery(Schema):
    start = PlausibleDate(data_key="from", required=True)
    end = PlausibleDate(data_key="to", required=True)
    officer = fields.String(load_default=None)


class ComplianceQuery(Schema):
    month = fields.String(
        required=True, validate=validate.Regexp(r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$"), metadata={"description": "YYYY-MM"}
    )


class ComplianceOut(Schema):
    officer = fields.String()
    full_name = fields.String()
    title = fields.String()
    agency = fields.String()
    obligation = fields.String()
    rule = fields.String(metadata={"description": "the rule(s) in force that month, in Vietnamese, with source"})
    per = fields.String(metadata={"description": "week or month"})
    confirmed = fields.Boolean(metadata={"description": "false while the rule's text could not be checked"})
    delegation_allowed = fields.Boolean()
    required = fields.Integer()
    scheduled = fields.Integer(metadata={"description": "days (or weeks) covered by days published in time"})
    missing_weeks = fields.List(fields.String())
    published_late = fields.List(fields.Date())
    behind = fields.Boolean()
