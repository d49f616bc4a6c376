"""The complex, prolonged cases report over HTTP (CSV or XLSX)."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tiepdan_common.clock import local
from tiepdan_common.errors import Problem
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from .. import reference
from ..access import restricted
from ..case.schemas import ReportQuery
from ..unit import service as units
from . import service, summary

blp = Blueprint("reports", __name__, url_prefix="/cases", description="Reports on cases")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.get("/report")
@require("cases:read")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, description="CSV (UTF-8) or XLSX file", content_type="text/csv")
def report(query):
    """Complex and prolonged cases (vụ việc phức tạp, kéo dài) with their status and history."""
    identity = current_identity()
    if restricted(identity):
        raise Problem(403, "This report is for the district and the communes.", code="forbidden")
    moment = now()
    days = query["prolonged_days"] if query["prolonged_days"] is not None else current_settings().prolonged_days
    found = service.complex_cases(
        db_session=db_session(),
        identity=identity,
        prolonged_days=days,
        now=moment,
        include_closed=query["include_closed"],
    )
    folder = current_settings().reference_dir
    data = service.rows(
        found,
        now=moment,
        unit_name=units.unit_name,
        field_name=lambda code: reference.field(folder, code)["name_vi"],
    )
    stamp = f"{local(moment):%Y%m%d-%H%M}"
    if query["format"] == "xlsx":
        title = f"Danh sách vụ việc phức tạp, kéo dài (lập lúc {local(moment):%H:%M ngày %d/%m/%Y})"
        return Response(
            service.to_xlsx(data, title=title),
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="vu-viec-phuc-tap-{stamp}.xlsx"'},
        )
    return Response(
        service.to_csv(data),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="vu-viec-phuc-tap-{stamp}.csv"'},
    )


summary_blp = Blueprint(
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


@summary_blp.get("/daily-summary")
@require("cases:read")
@summary_blp.arguments(SummaryQuery, location="query")
@summary_blp.response(200, SummaryOut)
@summary_blp.alt_response(422, schema=ProblemSchema)
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
