"""The coverage report over HTTP."""

from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common import web
from tiepdan_common.idempotency import transactional
from tiepdan_common.web import db_session, require

from ..database import IdempotencyRecord
from . import service

blp = Blueprint("coverage", __name__, description="Coverage report for the days ahead")


class CoverageQuery(Schema):
    days = fields.Integer(load_default=14, validate=validate.Range(min=1, max=90))


class ShiftRef(Schema):
    shift_id = fields.Integer()
    shift_kind = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    duty_role = fields.String()


class Unfilled(ShiftRef):
    missing = fields.Integer()


class Scheduled(ShiftRef):
    officer = fields.String()
    full_name = fields.String()


class DoubleBooked(Scheduled):
    other_shift_id = fields.Integer()


class Person(Schema):
    officer = fields.String()
    full_name = fields.String()


class Gap(ShiftRef):
    missing = fields.Integer()
    reason = fields.String(metadata={"description": "unfilled, on_leave, double_booked or no_verified_channel"})
    officer = fields.String()
    full_name = fields.String()


class CoverageOut(Schema):
    start = fields.AwareDateTime(data_key="from", attribute="from")
    end = fields.AwareDateTime(data_key="to", attribute="to")
    shifts = fields.Integer()
    unfilled = fields.List(fields.Nested(Unfilled))
    double_bookings = fields.List(fields.Nested(DoubleBooked))
    on_leave = fields.List(fields.Nested(Scheduled))
    no_verified_channel = fields.List(fields.Nested(Person))
    unreachable_assignments = fields.List(fields.Nested(Scheduled))
    gaps = fields.List(fields.Nested(Gap))
    announced = fields.Integer(metadata={"description": "gaps announced now for the first time (check only)"})


@blp.get("/coverage")
@require("roster:read")
@blp.arguments(CoverageQuery, location="query")
@blp.response(200, CoverageOut)
def coverage(query):
    """Unfilled requirements, double bookings, scheduled people on leave and people with no verified channel."""
    now = web.now()
    return service.report(db_session=db_session(), start=now, end=now + dt.timedelta(days=query["days"]))


@blp.post("/coverage/check")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(CoverageQuery, location="query")
@blp.response(200, CoverageOut)
def check(query):
    """The report, announcing each gap not seen before as ``roster.coverage.gap`` (the worker does this too)."""
    return service.check_ahead(db_session=db_session(), now=web.now(), days=query["days"])
