"""The coverage report's request and answer schemas."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

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
