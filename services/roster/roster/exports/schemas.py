"""Calendar feeds' and printed rosters' request and answer schemas."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tiepdan_common.schemas import PlausibleDate

blp = Blueprint("exports", __name__, description="Calendar feeds, XLSX and printable roster")


class FeedIn(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(("officer", "agency")))
    subject = fields.String(required=True, metadata={"description": "officer code or agency code"})


class FeedOut(Schema):
    id = fields.String()
    scope = fields.String()
    subject = fields.String()
    path = fields.String(metadata={"description": "the secret link, relative to the roster's public prefix"})
    created_at = fields.AwareDateTime()


class RangeQuery(Schema):
    start = PlausibleDate(data_key="from", required=True)
    end = PlausibleDate(data_key="to", required=True)

    @validates_schema
    def _range(self, data, **_):
        if data["end"] < data["start"]:
            raise ValidationError("must not be before from", "to")
        if (data["end"] - data["start"]).days > 62:
            raise ValidationError("the range may span at most 62 days", "to")
