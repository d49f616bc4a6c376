"""The complex, prolonged cases report over HTTP (CSV or XLSX)."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from tiepdan_common.clock import local
from tiepdan_common.errors import Problem
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from .. import reference
from ..access import restricted
from ..case.schemas import ReportQuery
from ..unit import service as units
from . import service

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
