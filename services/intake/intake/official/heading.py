"""The heading and signature block of an official document (thể thức văn bản), from the unit data.

The issuing body is the People's Committee of the unit (its name as the unit data holds it on the
document's day, never a constant), under the body above it; the place is the unit's name without
its level word. Decree 30/2020/NĐ-CP sets this layout for administrative documents.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..reference import service as reference

LEVEL_WORDS = ("Thành phố", "Thị trấn", "Thị xã", "Tỉnh", "Huyện", "Quận", "Phường", "Xã")
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def place_name(name: str) -> str:
    """``Huyện Mỹ Xuyên`` -> ``Mỹ Xuyên``."""
    for word in LEVEL_WORDS:
        if name.startswith(word + " "):
            return name[len(word) + 1 :]
    return name


def heading(
    *, db_session: Session, unit: str, on: dt.date, issued_on: dt.date, number: str | None, symbol: str
) -> dict:
    """The heading of a document of ``unit`` (its version in force on ``on``), dated ``issued_on``."""
    found = reference.unit_on(db_session=db_session, code=unit, on=on) or reference.get_unit(
        db_session=db_session, code=unit
    )
    name = found.name if found else unit
    parent = None
    if found is not None and found.parent_code:
        parent = reference.unit_on(db_session=db_session, code=found.parent_code, on=on) or reference.get_unit(
            db_session=db_session, code=found.parent_code
        )
    return {
        "parent_body": f"ỦY BAN NHÂN DÂN {parent.name.upper()}" if parent else None,
        "issuing_body": f"ỦY BAN NHÂN DÂN {name.upper()}",
        "unit": unit,
        "unit_name": name,
        "number": f"Số: {number or '......'}/{symbol}",
        "nation": NATION,
        "motto": MOTTO,
        "place_date": f"{place_name(name)}, ngày {issued_on:%d} tháng {issued_on:%m} năm {issued_on:%Y}",
    }


def signature(*, preparer: str | None, signer: str | None, signer_title: str | None) -> dict:
    """The signature block: who prepared the document and who signs it for the unit."""
    return {
        "left": {"title": "NGƯỜI LẬP BIỂU", "note": "(Ký, ghi rõ họ tên)", "name": preparer or ""},
        "right": {
            "title": (signer_title or "THỦ TRƯỞNG ĐƠN VỊ").upper(),
            "note": "(Ký, ghi rõ họ tên, đóng dấu)",
            "name": signer or "",
        },
    }
