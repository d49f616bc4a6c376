"""The daily summary over HTTP: a date's summary as it was sent, else counted now."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common.clock import local
from tiepdan_common.errors import Problem
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from ..access import restricted
from . import service as summary
from .schemas import SummaryOut, SummaryQuery

blp = Blueprint(
    "daily_summary",
    __name__,
    url_prefix="/reports",
    description="The daily situation summary (báo cáo tình hình hằng ngày)",
)


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
