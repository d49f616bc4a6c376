"""The daily summary over HTTP: a date's summary as it was sent, else counted now."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tiepdan_common.clock import local
from tiepdan_common.errors import Problem
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from ..access import restricted
from . import service as summary

blp = Blueprint(
    "daily_summary",
    __name__,
    url_prefix="/reports",
    description="The daily situation summary (báo cáo tình hình hằng ngày)",
)


class SummaryQuery(Schema):
    date = fields.Date(load_default=None, metadata={"description": "local date (YYYY-MM-DD); today by default"})


class SummaryItem(Schema):
    key = fields.String()
    label = fields.String(metadata={"description": "Vietnamese label"})
    value = fields.Integer()


class SummaryOut(Schema):
    date = fields.Date()
    title = fields.String(metadata={"description": "e.g. Báo cáo tình hình ngày 26/11/2026"})
    period_label = fields.String(metadata={"description": "the period covered, in Vietnamese"})
    period_from = fields.AwareDateTime()
    period_to = fields.AwareDateTime()
    complete = fields.Boolean(metadata={"description": "false while the date's summary hour has not come"})
    items = fields.List(fields.Nested(SummaryItem))
    highlights = fields.List(fields.String())
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    sent_at = fields.AwareDateTime(allow_none=True)
    sent_late = fields.Boolean(allow_none=True, metadata={"description": "sent by a worker catching up"})


@blp.get("/daily-summary")
@require("cases:read")
@blp.arguments(SummaryQuery, location="query")
@blp.response(200, SummaryOut)
@blp.alt_response(422, schema=ProblemSchema)
def daily_summary(query):
    """A date's situation summary: the one sent, else counted now (today: so far)."""
    identity = current_identity()
    if restricted(identity) or identity.is_commune:
        raise Problem(403, "The daily summary is for the district.", code="forbidden")
    moment = now()
    date = query["date"] or local(moment).date()
    if date > local(moment).date():
        raise Problem(422, "date: not after today", errors=[{"field": "date", "message": "not after today"}])
    return summary.for_date(db_session=db_session(), date=date, hour=current_settings().daily_summary_hour, now=moment)
