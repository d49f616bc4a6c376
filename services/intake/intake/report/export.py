"""Writing a table as CSV (UTF-8 with BOM, so spreadsheet programs read the diacritics) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_response(*, headers: list[str], rows: Iterable[list], fmt: str, filename: str, title: str) -> Response:
    """A download of ``rows`` under Vietnamese ``headers`` in ``fmt`` (csv or xlsx)."""
    if fmt == "xlsx":
        book = Workbook(write_only=False)
        sheet = book.active
        sheet.title = title[:31]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerows([_cell(v) for v in row] for row in rows)
        body = ("\ufeff" + text.getvalue()).encode("utf-8")
    response = Response(body, mimetype=MIMETYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MIMETYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _cell(value):
    # A value starting with "=" would be read as a formula by a spreadsheet: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
