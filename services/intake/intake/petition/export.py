"""The petitions book (sổ theo dõi đơn) of a period as a spreadsheet, Vietnamese headers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.identity import Identity

from ..clock import local_text
from ..reference import service as reference
from ..report import labels
from ..report.export import table_response
from . import book as petitions_book
from .models import Petition

HEADERS = [
    "Số đơn",
    "Ngày nhận",
    "Đơn vị nhận",
    "Nguồn đơn",
    "Người gửi",
    "Địa chỉ",
    "Số người ký",
    "Đơn nặc danh",
    "Loại đơn",
    "Lĩnh vực",
    "Nơi phát sinh",
    "Nội dung",
    "Yêu cầu",
    "Tách từ đơn",
    "Trùng với đơn",
    "Trạng thái",
    "Hướng xử lý",
    "Chuyển đến / hướng dẫn đến",
    "Thời hạn",
    "Ngày báo cho công dân",
]


def book(*, db_session: Session, identity: Identity, query: dict):
    """The petitions of the period, oldest first, senders masked, as CSV or XLSX; a denunciation's text only
    for its handlers, and no split link from a record split from a denunciation."""
    fields = {f.code: f.name_vi for f in reference.list_fields(db_session=db_session)}
    units = {u.code: u.name for u in reference.list_units(db_session=db_session)}

    numbers: dict[str, str] = {}

    def number(petition_id: str | None) -> str:
        """The register number of a petition named by id (a split's origin, a repeat's first): people read numbers."""
        if not petition_id:
            return ""
        if petition_id not in numbers:
            found = db_session.scalar(select(Petition.number).where(Petition.id == petition_id))
            numbers[petition_id] = found or ""
        return numbers[petition_id]

    def rows():
        for p in petitions_book.export_rows(db_session=db_session, identity=identity, query=query):
            yield [
                p.number,
                local_text(p.received_at),
                units.get(p.receiving_unit, p.receiving_unit),
                labels.CHANNEL.get(p.channel, p.channel),
                "; ".join(s["full_name"] or "" for s in p.people),
                "; ".join(s["address"] or "" for s in p.people),
                p.sender_count,
                labels.yes_no(p.anonymous),
                labels.CATEGORY.get(p.category, p.category),
                fields.get(p.field_code, p.field_code),
                units.get(p.origin_unit, p.origin_unit),
                p.shown["content"] or "",
                p.shown["citizen_request"] or "",
                number(p.shown_split_from),
                number(p.repeat_of),
                labels.STATUS.get(p.status, p.status),
                labels.DECISION.get(p.decision or "", ""),
                p.forwarded_to or "",
                p.deadline.strftime("%d/%m/%Y") if p.deadline else "",
                p.citizen_informed_on.strftime("%d/%m/%Y") if p.citizen_informed_on else "",
            ]

    start, end = query["date_from"].date().isoformat(), query["date_to"].date().isoformat()
    return table_response(
        headers=HEADERS,
        rows=rows(),
        fmt=query["format"],
        filename=f"so-theo-doi-don_{start}_{end}",
        title="Sổ theo dõi đơn",
    )
