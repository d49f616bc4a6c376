"""The official report forms as data: columns (with the Vietnamese headings of the forms) over record facts.

Each column is a predicate over one fact (a visit or a petition, as ``facts`` builds them) and a way to count
(records, people, or distinct matters). :func:`compute` fills a table, one row per receiving unit and a total,
and keeps in every cell the register numbers behind its figure, so each figure can be opened. No framework here.
Long because every column of the official forms is declared here, as data, one after another.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of a form: its headings (group, sub-group, name), what it selects and how it counts."""

    key: str
    group: str
    name: str
    when: Callable[[dict], bool]
    count: str = "records"  # records, people (sum of group sizes) or matters (distinct matters)
    subgroup: str = ""


@dataclasses.dataclass(frozen=True)
class Form:
    key: str
    code: str
    title: str
    record_type: str  # visit or petition
    columns: tuple[Column, ...]


def _reception(kind_key: str, kind_label: str) -> list[Column]:
    """The eight columns of one kind of reception (thường xuyên, định kỳ, đột xuất)."""

    def of(f):
        return f["reception"] == kind_key

    def mass(f):
        return of(f) and f["is_mass"]

    return [
        Column(f"{kind_key}.visits", kind_label, "Lượt", of),
        Column(f"{kind_key}.people", kind_label, "Người", of, count="people"),
        Column(
            f"{kind_key}.matters_old",
            kind_label,
            "Vụ việc cũ",
            lambda f: of(f) and not f["matter_new"],
            count="matters",
        ),
        Column(
            f"{kind_key}.matters_new",
            kind_label,
            "Vụ việc mới phát sinh",
            lambda f: of(f) and f["matter_new"],
            count="matters",
        ),
        Column(f"{kind_key}.groups", kind_label, "Số đoàn", mass, subgroup="Đoàn đông người"),
        Column(f"{kind_key}.group_people", kind_label, "Người", mass, count="people", subgroup="Đoàn đông người"),
        Column(
            f"{kind_key}.group_matters_old",
            kind_label,
            "Vụ việc cũ",
            lambda f: mass(f) and not f["matter_new"],
            count="matters",
            subgroup="Đoàn đông người",
        ),
        Column(
            f"{kind_key}.group_matters_new",
            kind_label,
            "Vụ việc mới phát sinh",
            lambda f: mass(f) and f["matter_new"],
            count="matters",
            subgroup="Đoàn đông người",
        ),
    ]


def _is(key: str, *values):
    return lambda f: f.get(key) in values


RECEPTION = Form(
    key="reception",
    code="Biểu số 01/TCD",
    title="TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN",
    record_type="visit",
    columns=tuple(
        _reception("regular", "Tiếp thường xuyên")
        + _reception("periodic", "Tiếp định kỳ của lãnh đạo")
        + _reception("unscheduled", "Tiếp đột xuất của lãnh đạo")
        + [
            Column(
                "content.complaint",
                "Nội dung tiếp (vụ việc)",
                "Khiếu nại",
                _is("category", "complaint"),
                count="matters",
            ),
            Column(
                "content.denunciation",
                "Nội dung tiếp (vụ việc)",
                "Tố cáo",
                _is("category", "denunciation"),
                count="matters",
            ),
            Column(
                "content.recommendation",
                "Nội dung tiếp (vụ việc)",
                "Kiến nghị, phản ánh",
                _is("category", "recommendation", "feedback"),
                count="matters",
            ),
            Column(
                "result.documents_taken",
                "Kết quả tiếp (lượt)",
                "Tiếp nhận đơn, tài liệu",
                _is("outcome", "documents_taken"),
            ),
            Column(
                "result.guided", "Kết quả tiếp (lượt)", "Hướng dẫn đến cơ quan có thẩm quyền", _is("outcome", "guided")
            ),
            Column(
                "result.returned_to_lower_level",
                "Kết quả tiếp (lượt)",
                "Chuyển cấp dưới giải quyết",
                _is("outcome", "returned_to_lower_level"),
            ),
            Column(
                "result.explained_closed",
                "Kết quả tiếp (lượt)",
                "Giải thích, kết thúc",
                _is("outcome", "explained_closed"),
            ),
            Column("result.refused", "Kết quả tiếp (lượt)", "Từ chối tiếp", _is("outcome", "refused")),
        ]
    ),
)


def _eligible(category=None):
    return lambda f: f["eligible"] and (category is None or f["category"] in category)


HANDLING = Form(
    key="handling",
    code="Biểu số 02/XLĐ",
    title="TỔNG HỢP KẾT QUẢ XỬ LÝ ĐƠN",
    record_type="petition",
    columns=(
        Column("total", "Tổng số đơn", "Tổng số", lambda f: True),
        Column("carried_over", "Tổng số đơn", "Kỳ trước chuyển sang", lambda f: f["carried_over"]),
        Column("received", "Tổng số đơn", "Tiếp nhận trong kỳ", lambda f: not f["carried_over"]),
        Column("handled", "Tổng số đơn", "Đã xử lý trong kỳ", lambda f: f["handled_in_period"]),
        Column("eligible", "Đơn đủ điều kiện xử lý", "Tổng số", _eligible()),
        Column("eligible.complaint", "Đơn đủ điều kiện xử lý", "Khiếu nại", _eligible(("complaint",))),
        Column("eligible.denunciation", "Đơn đủ điều kiện xử lý", "Tố cáo", _eligible(("denunciation",))),
        Column(
            "eligible.recommendation",
            "Đơn đủ điều kiện xử lý",
            "Kiến nghị, phản ánh",
            _eligible(("recommendation", "feedback")),
        ),
        Column("not_eligible", "Đơn không đủ điều kiện xử lý", "Trùng, nặc danh, hủy", lambda f: not f["eligible"]),
        Column(
            "competent.complaint",
            "Kết quả xử lý",
            "Khiếu nại",
            lambda f: f["competent"] and f["category"] == "complaint",
            subgroup="Thuộc thẩm quyền",
        ),
        Column(
            "competent.denunciation",
            "Kết quả xử lý",
            "Tố cáo",
            lambda f: f["competent"] and f["category"] == "denunciation",
            subgroup="Thuộc thẩm quyền",
        ),
        Column(
            "competent.recommendation",
            "Kết quả xử lý",
            "Kiến nghị, phản ánh",
            lambda f: f["competent"] and f["category"] in ("recommendation", "feedback"),
            subgroup="Thuộc thẩm quyền",
        ),
        Column(
            "not_competent.guided",
            "Kết quả xử lý",
            "Hướng dẫn",
            _is("handling", "guide"),
            subgroup="Không thuộc thẩm quyền",
        ),
        Column(
            "not_competent.forwarded",
            "Kết quả xử lý",
            "Chuyển đơn",
            _is("handling", "forward"),
            subgroup="Không thuộc thẩm quyền",
        ),
        Column(
            "not_competent.lower_level",
            "Kết quả xử lý",
            "Chuyển cấp dưới",
            _is("handling", "return_to_lower_level"),
            subgroup="Không thuộc thẩm quyền",
        ),
        Column("not_accepted", "Kết quả xử lý", "Không thụ lý", _is("handling", "not_accept")),
        Column("archived", "Kết quả xử lý", "Lưu đơn", _is("handling", "archive")),
    ),
)


def _resolution(category: str, code: str, title: str, noun: str) -> Form:
    def mine(f):
        return f["category"] == category and f["competent"]

    def done(outcome):
        return lambda f: mine(f) and f["resolved_in_period"] and f["outcome"] == outcome

    return Form(
        key=f"{category}_resolution",
        code=code,
        title=title,
        record_type="petition",
        columns=(
            Column("total", f"{noun} thuộc thẩm quyền", "Tổng số vụ việc", mine),
            Column(
                "carried_over",
                f"{noun} thuộc thẩm quyền",
                "Kỳ trước chuyển sang",
                lambda f: mine(f) and f["accepted_before"],
            ),
            Column(
                "accepted",
                f"{noun} thuộc thẩm quyền",
                "Thụ lý trong kỳ",
                lambda f: mine(f) and not f["accepted_before"],
            ),
            Column("resolved", "Đã giải quyết", "Tổng số", lambda f: mine(f) and f["resolved_in_period"]),
            Column("upheld", "Đã giải quyết", f"{noun} đúng", done("upheld")),
            Column("rejected", "Đã giải quyết", f"{noun} sai", done("rejected")),
            Column("partly_upheld", "Đã giải quyết", f"{noun} đúng một phần", done("partly_upheld")),
            Column(
                "on_time", "Đã giải quyết", "Đúng hạn", lambda f: mine(f) and f["resolved_in_period"] and f["on_time"]
            ),
            Column(
                "late", "Đã giải quyết", "Quá hạn", lambda f: mine(f) and f["resolved_in_period"] and not f["on_time"]
            ),
            Column("withdrawn", "Rút đơn, đình chỉ", "Rút đơn", lambda f: mine(f) and f["closed_as"] == "withdrawn"),
            Column("suspended", "Rút đơn, đình chỉ", "Đình chỉ", lambda f: mine(f) and f["closed_as"] == "suspended"),
            Column("open", "Đang giải quyết", "Cuối kỳ", lambda f: mine(f) and f["open_at_end"]),
        ),
    )


COMPLAINTS = _resolution("complaint", "Biểu số 03/KQGQ", "TỔNG HỢP KẾT QUẢ GIẢI QUYẾT KHIẾU NẠI", "Khiếu nại")
DENUNCIATIONS = _resolution("denunciation", "Biểu số 04/KQGQ", "TỔNG HỢP KẾT QUẢ GIẢI QUYẾT TỐ CÁO", "Tố cáo")

FORMS = {form.key: form for form in (RECEPTION, HANDLING, COMPLAINTS, DENUNCIATIONS)}


def _figure(column: Column, chosen: list[dict]) -> int:
    if column.count == "people":
        return sum(f["people"] for f in chosen)
    if column.count == "matters":
        return len({f["matter"] for f in chosen})
    return len(chosen)


def compute(form: Form, facts: list[dict], *, unit_names: dict[str, str]) -> dict:
    """The form's table: a row per receiving unit (its code and name) and a total row; each cell its figure
    and the records behind it (``number``, ``id``)."""
    units = sorted({f["unit"] for f in facts})
    groups = [(code, unit_names.get(code, code), [f for f in facts if f["unit"] == code]) for code in units]
    groups.append(("", "Tổng cộng", facts))
    rows = []
    for code, name, chosen_facts in groups:
        cells = []
        for column in form.columns:
            chosen = [f for f in chosen_facts if column.when(f)]
            cells.append(
                {
                    "column": column.key,
                    "value": _figure(column, chosen),
                    "records": [{"number": f["number"], "id": f["id"]} for f in chosen],
                }
            )
        rows.append({"unit": code or None, "unit_name": name, "total": not code, "cells": cells})
    return {
        "form": form.key,
        "code": form.code,
        "title": form.title,
        "record_type": form.record_type,
        "columns": [
            {"key": c.key, "group": c.group, "subgroup": c.subgroup, "name": c.name, "number": i + 1, "counts": c.count}
            for i, c in enumerate(form.columns)
        ],
        "rows": rows,
    }
