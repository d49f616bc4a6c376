"""An official document as a spreadsheet: heading, title, a table with grouped headings and numbered
columns, and the signature block; printed landscape on A4, one page wide, headings repeated."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
TOP = Alignment(vertical="top", wrap_text=True)


def _text(value):
    # A value starting with "=" would be read as a formula by a spreadsheet: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _put(sheet, row: int, first: int, last: int, value, *, bold=False, italic=False, size=12, align=CENTER):
    cell = sheet.cell(row=row, column=first, value=value)
    cell.font = Font(name=FONT, bold=bold, italic=italic, size=size)
    cell.alignment = align
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _heading(sheet, heading: dict, width: int) -> int:
    half = max(width // 2, 1)
    _put(sheet, 1, 1, half, heading.get("parent_body") or "")
    _put(sheet, 1, half + 1, width, heading["nation"], bold=True)
    _put(sheet, 2, 1, half, heading["issuing_body"], bold=True)
    _put(sheet, 2, half + 1, width, heading["motto"], bold=True)
    _put(sheet, 3, 1, half, heading["number"])
    _put(sheet, 3, half + 1, width, heading["place_date"], italic=True)
    return 5


def _levels(column: dict) -> list[str]:
    """A column's three heading levels, a missing level taking the one below it (merged down)."""
    group, subgroup, name = column.get("group") or "", column.get("subgroup") or "", column["name"]
    if not group:
        return [name, name, name]
    return [group, subgroup or name, name]


def _header_rows(sheet, row: int, columns: list[dict]) -> int:
    """Three heading rows (group, sub-group, name), merged where a heading spans, then the column numbers."""
    grid = [_levels(c) for c in columns]
    covered: set[tuple[int, int]] = set()
    for depth in range(3):
        for col in range(len(columns)):
            if (depth, col) in covered:
                continue
            label, prefix = grid[col][depth], grid[col][:depth]
            right = col
            while (
                right + 1 < len(columns)
                and grid[right + 1][depth] == label
                and grid[right + 1][:depth] == prefix
                and (depth, right + 1) not in covered
            ):
                right += 1
            bottom = depth
            while bottom + 1 < 3 and all(grid[c][bottom + 1] == label for c in range(col, right + 1)):
                bottom += 1
            for d in range(depth, bottom + 1):
                covered.update((d, c) for c in range(col, right + 1))
            sheet.cell(row=row + depth, column=col + 1, value=label)
            if right > col or bottom > depth:
                sheet.merge_cells(
                    start_row=row + depth, start_column=col + 1, end_row=row + bottom, end_column=right + 1
                )
    for depth in range(3):
        sheet.row_dimensions[row + depth].height = 48 if depth == 2 else 30
        for col in range(1, len(columns) + 1):
            cell = sheet.cell(row=row + depth, column=col)
            cell.font, cell.alignment, cell.border = Font(name=FONT, bold=True, size=10), CENTER, BOX
    for col, column in enumerate(columns, start=1):
        cell = sheet.cell(row=row + 3, column=col, value=f"({column.get('number', col)})")
        cell.font, cell.alignment, cell.border = Font(name=FONT, italic=True, size=10), CENTER, BOX
    return row + 4


def _height(values: list, widths: list[int] | None) -> float:
    """A row tall enough for its longest wrapped text (spreadsheet programs do not grow rows read from a file)."""
    lines = 1
    for col, value in enumerate(values):
        width = (widths[col] if widths else 11) * 1.15
        lines = max(lines, sum(-(-max(len(part), 1) // int(width)) for part in str(value or "").split("\n")))
    return 14.0 * lines


def document(
    *,
    heading: dict,
    title: str,
    subtitle: str,
    columns: list[dict],
    rows: list[list],
    signature: dict,
    widths: list[int] | None = None,
    sheet_title: str = "Báo cáo",
    bold_rows: set[int] = frozenset(),
) -> bytes:
    """The workbook's bytes: ``rows`` are lists of cell values in the order of ``columns``."""
    book = Workbook()
    sheet = book.active
    sheet.title = "".join(" " if ch in "/\\?*[]:" else ch for ch in sheet_title)[:31]
    width = len(columns)
    row = _heading(sheet, heading, width)
    _put(sheet, row, 1, width, title, bold=True, size=14)
    _put(sheet, row + 1, 1, width, subtitle, italic=True)
    first = row + 3
    row = _header_rows(sheet, first, columns)
    for index, values in enumerate(rows):
        sheet.row_dimensions[row].height = _height(values, widths)
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=_text(value))
            cell.font = Font(name=FONT, size=10, bold=index in bold_rows)
            cell.alignment = CENTER if isinstance(value, int) else TOP
            cell.border = BOX
        row += 1
    row += 1
    half = max(width // 2, 1)
    for side, first_col, last_col in (("left", 1, half), ("right", half + 1, width)):
        block = signature[side]
        _put(sheet, row, first_col, last_col, block["title"], bold=True)
        _put(sheet, row + 1, first_col, last_col, block["note"], italic=True)
        _put(sheet, row + 5, first_col, last_col, block["name"], bold=True)
    for col in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = widths[col - 1] if widths else 11
    sheet.print_title_rows = f"{first}:{first + 3}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
