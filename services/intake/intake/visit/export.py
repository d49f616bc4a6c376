"""The reception register (sổ tiếp công dân) of a period as a spreadsheet, Vietnamese headers, register numbers.

Citizens are masked here for every caller; the register in its official layout, with identities for those
allowed to read them (each read audited), is ``GET /official/register`` (intake.official)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.identity import Identity

from ..clock import local_text
from ..reference import service as reference
from ..report import labels
from ..report.export import table_response
from . import service
from .models import Visit

HEADERS = [
    "Số thứ tự",
    "Ngày giờ tiếp",
    "Đơn vị tiếp",
    "Cán bộ tiếp",
    "Họ và tên",
    "Địa chỉ",
    "Số giấy tờ tùy thân",
    "Số điện thoại",
    "Số người",
    "Số người đại diện",
    "Đoàn đông người",
    "Loại",
    "Lĩnh vực",
    "Nơi phát sinh",
    "Nội dung",
    "Quá trình giải quyết trước đó",
    "Yêu cầu của công dân",
    "Kết quả tiếp",
    "Cơ quan có thẩm quyền",
    "Căn cứ từ chối",
    "Vượt cấp",
    "Tiếp lặp lại của",
]


def register(*, db_session: Session, identity: Identity, query: dict):
    """The visits of the period, oldest first, citizens masked, as CSV or XLSX."""
    fields = {f.code: f.name_vi for f in reference.list_fields(db_session=db_session)}
    units = {u.code: u.name for u in reference.list_units(db_session=db_session)}

    def rows():
        visits = list(service.export_rows(db_session=db_session, identity=identity, query=query))
        firsts = {v.repeat_of for v in visits if v.repeat_of}
        # The first visit by its register number, never its UUID.
        serials = (
            dict(db_session.execute(select(Visit.id, Visit.serial).where(Visit.id.in_(firsts))).all()) if firsts else {}
        )
        for v in visits:
            people = v.people
            yield [
                v.serial,
                local_text(v.received_at),
                units.get(v.receiving_unit, v.receiving_unit),
                v.receiving_officer or "",
                "; ".join(p["full_name"] or "" for p in people),
                "; ".join(p["address"] or "" for p in people),
                "; ".join(p["id_number"] or "" for p in people),
                "; ".join(p["phone"] or "" for p in people),
                v.group_size,
                v.representative_count,
                labels.yes_no(v.is_mass),
                labels.CATEGORY.get(v.category, v.category),
                fields.get(v.field_code, v.field_code),
                units.get(v.origin_unit, v.origin_unit),
                v.content,
                v.prior_handling or "",
                v.citizen_request or "",
                labels.OUTCOME.get(v.outcome, v.outcome),
                v.competent_body or "",
                labels.REFUSAL_GROUND.get(v.refusal_ground or "", ""),
                labels.yes_no(v.over_level),
                serials.get(v.repeat_of, "") if v.repeat_of else "",
            ]

    start, end = query["date_from"].date().isoformat(), query["date_to"].date().isoformat()
    return table_response(
        headers=HEADERS,
        rows=rows(),
        fmt=query["format"],
        filename=f"so-tiep-cong-dan_{start}_{end}",
        title="Sổ tiếp công dân",
    )
