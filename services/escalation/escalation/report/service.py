"""The list of complex, prolonged cases (vụ việc phức tạp, kéo dài) as rows, CSV or XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local
from tiepdan_common.identity import Identity

from ..case import domain as case_domain
from ..case.models import Case
from . import labels

COLUMNS = (
    ("number", "Số vụ việc"),
    ("title", "Nội dung"),
    ("unit", "Đơn vị"),
    ("field", "Lĩnh vực"),
    ("severity", "Mức độ"),
    ("level", "Cấp"),
    ("status", "Trạng thái"),
    ("owner_agency", "Cơ quan chủ trì"),
    ("opened_at", "Ngày tiếp nhận"),
    ("days_open", "Số ngày"),
    ("complex", "Phức tạp"),
    ("history", "Quá trình xử lý"),
)
STATUS_VI = labels.STATUS


def complex_cases(
    *, db_session: Session, identity: Identity, prolonged_days: int, now: dt.datetime, include_closed: bool = False
) -> list[Case]:
    """Cases flagged complex, or open longer than ``prolonged_days``."""
    stmt = select(Case).where(or_(Case.complex.is_(True), Case.opened_at <= now - dt.timedelta(days=prolonged_days)))
    if not include_closed:
        stmt = stmt.where(Case.status.in_(case_domain.OPEN_STATUSES))
    if identity.is_commune:
        stmt = stmt.where(Case.unit == identity.unit)
    return list(db_session.scalars(stmt.order_by(Case.opened_at)))


def rows(cases: list[Case], *, now: dt.datetime, unit_name=None, field_name=None) -> list[dict]:
    """One row per case, times in Asia/Ho_Chi_Minh, Vietnamese words for codes (units and fields by the names
    given), the timeline folded into one cell."""
    unit_name, field_name = unit_name or (lambda code: code), field_name or (lambda code: code)
    out = []
    for case in cases:
        history = "; ".join(
            f"{local(t.at):%d/%m/%Y %H:%M} {labels.label(labels.TIMELINE, t.kind)}" for t in case.timeline
        )
        out.append(
            {
                "number": case.number,
                "title": case.title,
                "unit": unit_name(case.unit),
                "field": field_name(case.field_code),
                "severity": labels.label(labels.SEVERITY, case.severity),
                "level": labels.label(labels.LEVEL, case.level),
                "status": STATUS_VI.get(case.status, case.status),
                "owner_agency": case.owner_agency or "",
                "opened_at": f"{local(case.opened_at):%d/%m/%Y %H:%M}",
                "days_open": (now - case.opened_at).days,
                "complex": "có" if case.complex else "không",
                "history": history,
            }
        )
    return out


def to_csv(data: list[dict]) -> bytes:
    """UTF-8 with a BOM so that spreadsheet programs read the Vietnamese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in COLUMNS])
    for row in data:
        writer.writerow([row[key] for key, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(data: list[dict], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Vụ việc phức tạp"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in data:
        sheet.append([row[key] for key, _ in COLUMNS])
    for column, width in zip("ABCDEFGHIJKL", (14, 60, 9, 14, 10, 10, 16, 14, 17, 8, 9, 80), strict=True):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
