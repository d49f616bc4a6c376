"""Leaders' reception days over HTTP."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_smorest import Blueprint

from tiepdan_common import web
from tiepdan_common.errors import field_error
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from .. import calendar
from ..database import IdempotencyRecord
from . import service
from .duties import DutyBook
from .schemas import ComplianceOut, ComplianceQuery, ReceptionIn, ReceptionOut, ReceptionQuery

blp = Blueprint("reception", __name__, description="Leaders' reception days (Law 42/2013)")


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
