"""The heading of an official document from the unit copy (dated versions, ``escalation.unit``), and the
Plan 363 list as the province asks for it (XLSX with heading and signature block, or CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from tiepdan_common.clock import local

from ..report import labels
from ..unit.domain import Directory

LEVEL_WORDS = ("Thành phố", "Thị trấn", "Thị xã", "Tỉnh", "Huyện", "Quận", "Phường", "Xã")


def heading(units: Directory, *, unit: str, on: dt.date, number: str | None, symbol: str) -> dict:
    found = units.unit(unit, on)
    name = found["name"]
    parent = units.unit(found["parent"], on) if found.get("parent") else None
    place = next((name[len(w) + 1 :] for w in LEVEL_WORDS if name.startswith(w + " ")), name)
    return {
        "parent_body": f"ỦY BAN NHÂN DÂN {parent['name'].upper()}" if parent else "",
        "issuing_body": f"ỦY BAN NHÂN DÂN {name.upper()}",
        "number": f"Số: {number or '......'}/{symbol}",
        "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "place_date": f"{place}, ngày {on:%d} tháng {on:%m} năm {on:%Y}",
    }


TITLE = "DANH SÁCH VỤ VIỆC KHIẾU NẠI, TỐ CÁO ĐÔNG NGƯỜI, PHỨC TẠP, KÉO DÀI"
SUBTITLE = "(Theo Kế hoạch số 363/KH-TTCP ngày 29/3/2019 của Thanh tra Chính phủ)"
COLUMNS = (
    ("number", "Số vụ việc", 13),
    ("title", "Nội dung vụ việc", 40),
    ("unit_name", "Nơi phát sinh", 16),
    ("field_name", "Lĩnh vực", 14),
    ("category_name", "Loại", 10),
    ("source_name", "Nguồn", 18),
    ("central", "Thuộc danh sách Trung ương", 11),
    ("review_result", "Kết quả rà soát", 24),
    ("plan", "Phương án giải quyết đã thống nhất", 28),
    ("agreed_deadline", "Thời hạn đã thống nhất", 12),
    ("lead_agency", "Cơ quan chủ trì", 16),
    ("progress_name", "Tiến độ, kết quả", 16),
    ("history", "Quá trình theo dõi", 40),
    ("note", "Ghi chú", 16),
)


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def rows(entries: list[dict], histories: dict, *, unit_name, field_name) -> list[dict]:
    """One row per case, Vietnamese words and dd/mm/yyyy days."""
    out = []
    for e in entries:
        plan = ""
        if e["plan_agreed"]:
            plan = f"Đã thống nhất ngày {_day(e['plan_agreed_on'])}" + (
                f": {e['plan_summary']}" if e["plan_summary"] else ""
            )
        steps = [
            f"{local(c.at):%d/%m/%Y}: {labels.label(labels.PLAN363_PROGRESS, c.progress)}"
            for c in histories.get(e["case_id"], [])
        ]
        out.append(
            {
                **e,
                "unit_name": unit_name(e["unit"]),
                "field_name": field_name(e["field"]),
                "central": labels.yes_no(e["on_central_list"]),
                "review_result": e["review_result"] or "",
                "plan": plan,
                "agreed_deadline": _day(e["agreed_deadline"]),
                "lead_agency": e["lead_agency"] or "",
                "progress_name": e["progress_name"] + (" (quá hạn)" if e["overdue"] else ""),
                "history": "; ".join(steps),
                "note": e["note"] or "",
            }
        )
    return out


def to_csv(data: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["STT"] + [name for _, name, _ in COLUMNS])
    for i, row in enumerate(data, start=1):
        writer.writerow([i] + [row[key] for key, _, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(data: list[dict], *, head: dict, signer: str | None, signer_title: str | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    font, thin = "Times New Roman", Side(style="thin")
    box, wrap = Border(left=thin, right=thin, top=thin, bottom=thin), Alignment(wrap_text=True, vertical="top")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "Kế hoạch 363"
    width, half = len(COLUMNS) + 1, (len(COLUMNS) + 1) // 2

    def put(row, first, last, value, **style):
        cell = sheet.cell(row=row, column=first, value=value)
        cell.font, cell.alignment = Font(name=font, size=style.pop("size", 12), **style), center
        if last > first:
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)

    for row, left, right, bold_left in (
        (1, head["parent_body"], head["nation"], False),
        (2, head["issuing_body"], head["motto"], True),
        (3, head["number"], head["place_date"], False),
    ):
        put(row, 1, half, left, bold=bold_left)
        put(row, half + 1, width, right, bold=row < 3, italic=row == 3)
    put(5, 1, width, TITLE, bold=True, size=14)
    put(6, 1, width, SUBTITLE, italic=True)
    headers = ["STT"] + [name for _, name, _ in COLUMNS]
    for col, name in enumerate(headers, start=1):
        for row, value in ((8, name), (9, f"({col})")):
            cell = sheet.cell(row=row, column=col, value=value)
            cell.font, cell.alignment, cell.border = Font(name=font, bold=row == 8, size=10), center, box
    sheet.row_dimensions[8].height = 45
    for i, item in enumerate(data, start=1):
        values = [i] + [item[key] for key, _, _ in COLUMNS]
        lines = max(1, *(len(str(v)) // max(w, 1) + 1 for v, (_, _, w) in zip(values[1:], COLUMNS, strict=True)))
        sheet.row_dimensions[9 + i].height = 14 * lines
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=9 + i, column=col, value=value)
            cell.font, cell.alignment, cell.border = Font(name=font, size=10), wrap, box
    row = 11 + len(data)
    put(row, half + 1, width, (signer_title or "Thủ trưởng đơn vị").upper(), bold=True)
    put(row + 1, half + 1, width, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True)
    put(row + 5, half + 1, width, signer or "", bold=True)
    sheet.column_dimensions["A"].width = 5
    for col, (_, _, w) in enumerate(COLUMNS, start=2):
        sheet.column_dimensions[get_column_letter(col)].width = w
    sheet.print_title_rows = "8:9"
    sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
