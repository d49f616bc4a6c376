"""The coverage report over HTTP."""

from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint

from tiepdan_common import web
from tiepdan_common.idempotency import transactional
from tiepdan_common.web import db_session, require

from ..database import IdempotencyRecord
from . import service
from .schemas import CoverageOut, CoverageQuery

blp = Blueprint("coverage", __name__, description="Coverage report for the days ahead")


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
