"""Leaders' reception days over HTTP."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common import web
from tiepdan_common.errors import field_error
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import PlausibleDate, ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, require

from .. import calendar
from ..database import IdempotencyRecord
from . import service
from .duties import DutyBook

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


def _duties() -> DutyBook:
    return current_app.extensions["roster"]["reception_duties"]


def _flagged(rows: list) -> list:
    cal, book = calendar.current(), _duties()
    for row in rows:
        row.published_in_time = service.in_time(row, cal, book)
    return rows


@blp.post("/reception-days")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(ReceptionIn)
@blp.response(201, ReceptionOut)
@blp.alt_response(422, schema=ProblemSchema)
def publish(data):
    """Publish a leader's reception day; it counts only when published at least 5 working days ahead."""
    row = service.publish(
        db_session=db_session(),
        officer_code=data["officer"],
        day=data["date"],
        place=data["place"],
        actor=current_identity().subject,
        now=web.now(),
        calendar=calendar.current(),
        book=_duties(),
        on_behalf_of=data["on_behalf_of"],
    )
    return _flagged([row])[0]


@blp.get("/reception-days")
@require("roster:read")
@blp.arguments(ReceptionQuery, location="query")
@blp.response(200, ReceptionOut(many=True))
def list_days(query):
    """Published reception days between two dates."""
    if query["end"] < query["start"] or query["end"] - query["start"] > dt.timedelta(days=366):
        raise field_error("to", "must be after from and within a year of it")
    rows = service.list_days(db_session=db_session(), **query)
    return _flagged(rows)


@blp.get("/reception-days/compliance")
@require("roster:read")
@blp.arguments(ComplianceQuery, location="query")
@blp.response(200, ComplianceOut(many=True))
def compliance(query):
    """Who is behind, by the rule in force that month (reference/reception-duties.json): e.g. a commune chair
    1 day a week until June 2026, 2 days a month from July 2026."""
    year, month = (int(x) for x in query["month"].split("-"))
    return service.compliance(
        db_session=db_session(), year=year, month=month, calendar=calendar.current(), book=_duties()
    )


@blp.delete("/reception-days/<int:day_id>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema)
def withdraw(day_id):
    """Withdraw a reception day."""
    service.withdraw(db_session=db_session(), day_id=day_id, actor=current_identity().subject, now=web.now())
