"""A petition's codes in a clerk's words: channels, states, steps, outcomes, form fields."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

PETITION_CHANNELS = {
    "post": _l("Qua bưu điện"),
    "email": _l("Thư điện tử"),
    "forwarded": _l("Cơ quan khác chuyển đến"),
    "visit": _l("Nộp trực tiếp khi tiếp công dân"),
    "online": _l("Trực tuyến"),
}

PETITION_STATES = {
    "received": _l("mới nhận"),
    "accepted": _l("đã thụ lý"),
    "not_accepted": _l("không thụ lý"),
    "guided": _l("đã hướng dẫn"),
    "forwarded": _l("đã chuyển đơn"),
    "returned_to_lower_level": _l("đã chuyển cấp dưới"),
    "temporarily_suspended": _l("tạm đình chỉ"),
    "suspended": _l("đình chỉ"),
    "withdrawn": _l("đã rút đơn"),
    "archived": _l("đã lưu đơn"),
    "resolved": _l("đã giải quyết"),
    "repeat": _l("đơn trùng"),
    "inspection": _l("dùng để thanh tra, kiểm tra"),
    "filed": _l("lưu, không xử lý (nặc danh)"),
    "voided": _l("đã hủy"),
}

PETITION_STEPS = {
    "received": _l("Tiếp nhận đơn"),
    "accept": _l("Thụ lý"),
    "not_accept": _l("Không thụ lý"),
    "guide": _l("Hướng dẫn công dân"),
    "forward": _l("Chuyển đơn"),
    "reforward": _l("Chuyển lại đơn"),
    "return_to_lower_level": _l("Chuyển cấp dưới giải quyết"),
    "extend": _l("Gia hạn giải quyết"),
    "temporarily_suspend": _l("Tạm đình chỉ giải quyết"),
    "resume": _l("Tiếp tục giải quyết"),
    "suspend": _l("Đình chỉ giải quyết"),
    "withdraw": _l("Rút toàn bộ đơn"),
    "withdraw_part": _l("Rút một phần đơn"),
    "dialogue_held": _l("Đối thoại"),
    "dialogue_skipped": _l("Người khiếu nại vắng mặt khi đối thoại"),
    "resolve": _l("Giải quyết"),
    "archive": _l("Lưu đơn"),
    "inspection": _l("Chuyển thanh tra, kiểm tra"),
    "filed": _l("Lưu đơn nặc danh"),
    "repeat_confirmed": _l("Xác nhận đơn trùng"),
    "repeat_overridden": _l("Không phải đơn trùng"),
    "informed": _l("Đã báo cho công dân"),
    "corrected": _l("Sửa thông tin"),
    "voided": _l("Hủy đơn"),
    # The older API's decisions.
    "request_lower_level": _l("Chuyển cấp dưới giải quyết"),
}

RESOLUTION_OUTCOMES = {
    "upheld": _l("Khiếu nại đúng"),
    "rejected": _l("Khiếu nại sai"),
    "partly_upheld": _l("Khiếu nại đúng một phần"),
}

COMPLEXITY = {
    "normal": _l("Bình thường"),
    "complex_or_remote": _l("Phức tạp hoặc vùng sâu, vùng xa"),
    "both": _l("Phức tạp và vùng sâu, vùng xa"),
}

STAGES = {
    "acceptance": _l("thụ lý"),
    "response": _l("trả lời công dân"),
    "initial_handling": _l("xử lý ban đầu"),
    "resolution": _l("giải quyết"),
    "inform_citizen": _l("báo cho công dân"),
    "forwarding": _l("chuyển đơn"),
}

PETITION_FIELDS = {
    "channel": _l("Nguồn đơn"),
    "received_at": _l("Ngày nhận"),
    "forwarded_by": _l("Cơ quan chuyển đơn"),
    "visit_id": _l("Lượt tiếp"),
    "category": _l("Loại đơn"),
    "field": _l("Lĩnh vực"),
    "origin_unit": _l("Xã, thị trấn nơi phát sinh"),
    "subject": _l("Tên ngắn của vụ việc"),
    "content": _l("Nội dung đơn"),
    "senders": _l("Người gửi đơn"),
    "violator": _l("Người bị tố cáo"),
    "evidence": _l("Chứng cứ"),
    "verifiable": _l("Có chứng cứ cụ thể"),
    "complaint_round": _l("Khiếu nại lần hai"),
    "full_name": _l("Họ và tên"),
    "address": _l("Địa chỉ"),
    "id_number": _l("Số CCCD/CMND"),
    "phone": _l("Điện thoại"),
    "body": _l("Biểu mẫu"),
}

# A 409's detail about a step, in the clerk's words.
_CONFLICT = [
    (
        re.compile(r"is not allowed from '(\w+)'"),
        lambda m: _l("hồ sơ đang ở trạng thái «%(s)s»", s=PETITION_STATES.get(m.group(1), m.group(1))),
    ),
    (re.compile(r"does not apply to an anonymous"), lambda m: _l("không áp dụng cho đơn nặc danh")),
    (re.compile(r"does not apply to a (\w+)"), lambda m: _l("không áp dụng cho loại đơn này")),
    (
        re.compile(r"applies to petitions received from (\d{4})-(\d\d)-(\d\d)"),
        lambda m: _l("chỉ áp dụng cho đơn nhận từ ngày %(d)s", d=f"{m.group(3)}/{m.group(2)}/{m.group(1)}"),
    ),
]


def step_conflict(detail: str) -> str:
    """Why a step was refused (409), in a clerk's words; empty when the reason is not known."""
    for pattern, make in _CONFLICT:
        found = pattern.search(detail or "")
        if found:
            return str(make(found))
    return ""


def petition_field_label(name: str) -> str:
    """The clerk's name of a petition form input such as ``senders-1-phone``."""
    row = re.match(r"senders-(\d+)-(\w+)", name or "")
    if row:
        return str(
            _l(
                "%(label)s (người thứ %(n)s)",
                label=PETITION_FIELDS.get(row.group(2), row.group(2)),
                n=int(row.group(1)) + 1,
            )
        )
    return str(PETITION_FIELDS.get(name, name))
