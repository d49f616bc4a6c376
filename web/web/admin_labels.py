"""The words of the administrators' screens for the API's codes (levels, kinds, audit tables)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

UNIT_LEVELS = {"province": _l("Cấp tỉnh"), "district": _l("Cấp huyện"), "commune": _l("Cấp xã")}
SUCCESSION_KINDS = {
    "merge": _l("Sáp nhập"),
    "split": _l("Chia tách"),
    "rename": _l("Đổi tên"),
    "abolish": _l("Giải thể"),
    "transfer": _l("Điều chỉnh địa giới"),
}
DAY_KINDS = {"holiday": _l("Ngày nghỉ (lễ, Tết, nghỉ bù, hoán đổi)"), "working_day": _l("Ngày làm bù")}
AGENCY_KINDS = {
    "board": _l("Ban Tiếp công dân"),
    "inspectorate": _l("Thanh tra"),
    "department": _l("Phòng, ban chuyên môn"),
    "police": _l("Công an"),
    "leadership": _l("Lãnh đạo Ủy ban nhân dân"),
    "commune": _l("Ủy ban nhân dân cấp xã"),
}
CHANGE_TABLES = {
    "units": _l("Đơn vị hành chính"),
    "unit_successions": _l("Kế thừa đơn vị"),
    "holidays": _l("Ngày nghỉ, ngày làm bù"),
    "legal_rules": _l("Quy định pháp luật"),
}
CHANGE_ACTIONS = {"created": _l("thêm"), "updated": _l("sửa"), "deleted": _l("xóa")}
