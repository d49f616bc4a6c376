"""Words a clerk understands: the API's codes and English messages in Vietnamese (English as a choice).

Long because it is one vocabulary (tables of labels and the API's messages); a petition's words are in
petition_labels.py, a case's in case_labels.py, the administrator's in admin_labels.py.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "complaint": _l("Khiếu nại"),
    "denunciation": _l("Tố cáo"),
    "recommendation": _l("Kiến nghị"),
    "feedback": _l("Phản ánh"),
}

OUTCOMES = {
    "documents_taken": _l("Tiếp nhận hồ sơ, đơn (thuộc thẩm quyền)"),
    "guided": _l("Hướng dẫn đến cơ quan có thẩm quyền"),
    "returned_to_lower_level": _l("Chuyển về cấp dưới giải quyết"),
    "explained_closed": _l("Giải thích, kết thúc (đã giải quyết đúng)"),
    "refused": _l("Từ chối tiếp"),
}

REFUSAL_GROUNDS = {
    "intoxicated_or_incapacitated": _l("Say rượu, dùng chất kích thích, mất năng lực hành vi (Điều 9)"),
    "threats_insults_or_rule_breaking": _l("Đe dọa, xúc phạm, vi phạm nội quy nơi tiếp (Điều 9)"),
    "already_resolved_persisting": _l("Vụ việc đã giải quyết đúng, đã giải thích mà vẫn cố ý kéo dài (Điều 9)"),
}

CASE_STATUSES = {
    "opened": _l("Mới mở"),
    "acknowledged": _l("Đã tiếp nhận"),
    "in_progress": _l("Đang xử lý"),
    "citizens_returned": _l("Công dân đã về địa phương"),
    "resolved": _l("Đã giải quyết"),
    "closed": _l("Đã đóng"),
}

TIMELINE = {
    "opened": _l("Mở vụ việc"),
    "dialogue_scheduled": _l("Lên lịch đối thoại"),
    "dialogue_held": _l("Đã đối thoại"),
    "dialogue_cancelled": _l("Hủy buổi đối thoại"),
    "joined": _l("Thêm lượt tiếp vào vụ việc"),
    "acknowledged": _l("Đã tiếp nhận"),
    "progress": _l("Cập nhật tiến độ"),
    "updated": _l("Cập nhật thông tin"),
    "closed": _l("Đóng vụ việc"),
    "escalation_started": _l("Bắt đầu báo theo các bước"),
    "escalated": _l("Chuyển cấp, báo người tiếp theo"),
    "escalation_stopped": _l("Dừng chuyển cấp"),
    "notified": _l("Đã báo tin"),
}

SEVERITIES = {"low": _l("Thấp"), "medium": _l("Trung bình"), "high": _l("Cao"), "critical": _l("Rất nghiêm trọng")}

LEVELS = {"commune": _l("Cấp xã"), "district": _l("Ban Tiếp công dân"), "province": _l("Cấp tỉnh")}

DUTY_ROLES = {
    "lead": _l("Trưởng ca (Ban TCD)"),
    "inspector": _l("Thanh tra"),
    "department": _l("Phòng ban"),
    "police": _l("Công an"),
    "standby": _l("Trực dự phòng"),
    "leader_on_call": _l("Lãnh đạo trực"),
}

SHIFT_KINDS = {
    "morning": _l("Ca sáng"),
    "afternoon": _l("Ca chiều"),
    "standby": _l("Trực ngoài giờ"),
    "on_call": _l("Lãnh đạo trực cả ngày"),
}

# Duty roles each kind of shift needs (the roster's coverage rule), to highlight gaps when roster has no report.
SHIFT_NEEDS = {
    "morning": ("lead", "inspector", "department", "police"),
    "afternoon": ("lead", "inspector", "department", "police"),
    "standby": ("standby",),
    "on_call": ("leader_on_call",),
}

PROVINCE_STATES = {
    "received": _l("Mới nhận"),
    "assigned": _l("Đã phân công"),
    "officers_sent": _l("Đã cử người đi"),
    "citizens_returned": _l("Công dân đã về"),
    "completed": _l("Đã xong, đã báo tỉnh"),
}

ESCALATION_STATES = {
    "active": _l("Đang chuyển cấp"),
    "acknowledged": _l("Đã có người tiếp nhận"),
    "settled": _l("Đã xử lý"),
    "stopped": _l("Đã dừng"),
    "exhausted": _l("Đã hết các bước"),
}

ESCALATION_TARGETS = {
    "on_duty_role": _l("Cán bộ đang trực"),
    "agency": _l("Cơ quan"),
    "leader_on_call": _l("Lãnh đạo trực"),
    "police": _l("Công an"),
    "commune": _l("UBND xã"),
    "province": _l("Ban Tiếp công dân tỉnh"),
    "distribution_list": _l("Danh sách nhận tin"),
}

GAP_REASONS = {
    "unfilled": _l("chưa có người"),
    "on_leave": _l("người trực đang nghỉ phép"),
    "double_booked": _l("trùng ca"),
    "no_verified_channel": _l("chưa có số điện thoại, email đã xác minh"),
}

SWAP_STATES = {
    "requested": _l("Chờ người nhận đồng ý"),
    "accepted": _l("Chờ Ban duyệt"),
    "approved": _l("Đã duyệt"),
    "rejected": _l("Bị từ chối"),
    "cancelled": _l("Đã hủy"),
}

OFFICER_ROLES = {
    "board": _l("Cán bộ Ban Tiếp công dân"),
    "inspector": _l("Thanh tra viên"),
    "leader": _l("Lãnh đạo UBND"),
    "department": _l("Cán bộ sở, ngành"),
    "police": _l("Cán bộ Công an"),
}

KINDS = {
    "district": _l("Ban Tiếp công dân"),
    "commune": _l("UBND xã, thị trấn"),
    "police": _l("Công an"),
    "province": _l("Ban Tiếp công dân tỉnh"),
    "admin": _l("Quản trị"),
}

# Form fields of the visit, as a clerk calls them.
FIELD_LABELS = {
    "category": _l("Loại đơn, việc"),
    "field": _l("Lĩnh vực"),
    "origin_unit": _l("Xã, thị trấn nơi phát sinh"),
    "receiving_unit": _l("Nơi tiếp"),
    "received_at": _l("Thời điểm tiếp"),
    "content": _l("Nội dung"),
    "subject": _l("Tên ngắn của vụ việc"),
    "prior_handling": _l("Đã được cơ quan nào giải quyết"),
    "citizen_request": _l("Yêu cầu của công dân"),
    "group_size": _l("Số người trong đoàn"),
    "citizens": _l("Người đại diện, công dân"),
    "full_name": _l("Họ và tên"),
    "address": _l("Địa chỉ"),
    "id_number": _l("Số CCCD/CMND"),
    "phone": _l("Điện thoại"),
    "is_representative": _l("Người đại diện"),
    "outcome": _l("Kết quả tiếp"),
    "outcome.type": _l("Kết quả tiếp"),
    "outcome.competent_body": _l("Cơ quan có thẩm quyền"),
    "outcome.refusal_ground": _l("Căn cứ từ chối"),
    "body": _l("Biểu mẫu"),
}

# English messages of the API (marshmallow and the services' rules) -> a sentence for the clerk.
_MESSAGES: list[tuple[re.Pattern[str], object]] = [
    (
        re.compile(r"Missing data for required field|Shorter than minimum length 1\b|Field may not be null"),
        lambda m: _l("Chưa nhập thông tin này."),
    ),
    (re.compile(r"Must be one of"), lambda m: _l("Hãy chọn một giá trị trong danh sách.")),
    (re.compile(r"Length must be between 1 and"), lambda m: _l("Chưa nhập thông tin này.")),
    (re.compile(r"Not a valid integer"), lambda m: _l("Phải là một số nguyên.")),
    (re.compile(r"greater than or equal to (\d+)"), lambda m: _l("Phải từ %(n)s trở lên.", n=m.group(1))),
    (re.compile(r"Longer than maximum length (\d+)"), lambda m: _l("Dài quá %(n)s ký tự.", n=m.group(1))),
    (
        re.compile(r"Shorter than minimum length (\d+)"),
        lambda m: _l("Quá ngắn: cần ít nhất %(n)s ký tự.", n=m.group(1)),
    ),
    (re.compile(r"9 to 12 digits"), lambda m: _l("Số CCCD/CMND gồm 9 đến 12 chữ số.")),
    (re.compile(r"Not a phone number"), lambda m: _l("Số điện thoại không đúng (8 đến 15 chữ số).")),
    (re.compile(r"is in the future"), lambda m: _l("Thời điểm tiếp không được sau thời điểm hiện tại.")),
    (re.compile(r"Not a valid datetime|Not a valid aware datetime"), lambda m: _l("Ngày giờ không đúng.")),
    (re.compile(r"unknown unit code"), lambda m: _l("Không có đơn vị hành chính này.")),
    (
        re.compile(r"is not in force on (\d{4})-(\d\d)-(\d\d)"),
        lambda m: _l(
            "Đơn vị hành chính này không còn (hoặc chưa) tồn tại vào ngày %(d)s; hãy chọn xã, phường hiện hành.",
            d=f"{m.group(3)}/{m.group(2)}/{m.group(1)}",
        ),
    ),
    (re.compile(r"unknown field"), lambda m: _l("Không có lĩnh vực này trong danh mục.")),
    (
        re.compile(r"group of (\d+) must choose at least (\d+)"),
        lambda m: _l(
            "Đoàn %(n)s người phải cử ít nhất %(k)s người đại diện trong số người có mặt; "
            "hãy đánh dấu ô «Người đại diện».",
            n=m.group(1),
            k=m.group(2),
        ),
    ),
    (
        re.compile(r"group of (\d+) may have at most (\d+) representatives"),
        lambda m: _l("Đoàn %(n)s người chỉ được cử tối đa %(k)s người đại diện.", n=m.group(1), k=m.group(2)),
    ),
    (
        re.compile(r"group has (\d+) people but (\d+) citizens"),
        lambda m: _l("Số người trong đoàn (%(n)s) ít hơn số công dân đã ghi tên (%(k)s).", n=m.group(1), k=m.group(2)),
    ),
    (
        re.compile(r"refusal must state its legal ground"),
        lambda m: _l("Từ chối tiếp phải ghi căn cứ theo Điều 9 Luật Tiếp công dân."),
    ),
    (re.compile(r"only a refusal has a refusal ground"), lambda m: _l("Chỉ ghi căn cứ khi từ chối tiếp.")),
    (
        re.compile(r"name the body"),
        lambda m: _l("Ghi rõ cơ quan có thẩm quyền mà công dân được hướng dẫn đến hoặc chuyển về."),
    ),
    (re.compile(r"only at its own desk"), lambda m: _l("Xã, thị trấn chỉ ghi sổ tiếp tại nơi tiếp của mình.")),
    (re.compile(r"before the request was received"), lambda m: _l("Công dân không thể về trước khi tỉnh gửi yêu cầu.")),
    (re.compile(r"before the officers were sent"), lambda m: _l("Công dân không thể về trước khi cử người đi đón.")),
    (re.compile(r"in the future"), lambda m: _l("Thời điểm này chưa tới.")),
    (
        re.compile(r"is not an officer of the roster|no such officer|unknown officer"),
        lambda m: _l("Không có cán bộ này trong danh sách cán bộ."),
    ),
    (re.compile(r"is not an officer of (.+)$"), lambda m: _l("Cán bộ này không thuộc cơ quan được phân công.")),
    (re.compile(r"no such case"), lambda m: _l("Không có vụ việc này.")),
    (re.compile(r"not a valid cursor"), lambda m: _l("Trang kết quả không còn hợp lệ; hãy tìm lại.")),
]


# Messages whose words depend on the field they are about.
_BY_FIELD: dict[str, list[tuple[re.Pattern[str], object]]] = {
    "citizens": [
        (
            re.compile(r"Length must be between 1 and|Missing data|Shorter than minimum length 1\b"),
            lambda m: _l("Cần ghi ít nhất một người."),
        )
    ],
    "senders": [
        (
            re.compile(r"Length must be between 1 and|Missing data|Shorter than minimum length 1\b"),
            lambda m: _l("Cần ghi ít nhất một người gửi đơn, hoặc đánh dấu đơn nặc danh."),
        )
    ],
    "content": [
        (
            re.compile(r"Length must be between 1 and|Missing data|Shorter than minimum length 1\b|null"),
            lambda m: _l("Chưa ghi nội dung vụ việc."),
        )
    ],
    "received_at": [(re.compile(r"Not a valid"), lambda m: _l("Ngày giờ không đúng; hãy gõ ngày/tháng/năm giờ:phút."))],
}


def field_message(message: str, field: str | None = None) -> str:
    """The clerk's sentence for one API validation message (the original when nothing matches)."""
    for pattern, make in _BY_FIELD.get((field or "").rsplit(".", 1)[-1], []):
        found = pattern.search(message or "")
        if found:
            return str(make(found))
    for pattern, make in _MESSAGES:
        found = pattern.search(message or "")
        if found:
            return str(make(found))
    return str(_l("Thông tin chưa hợp lệ: %(m)s", m=message))


def field_label(field: str) -> str:
    """The clerk's name of an API field path such as ``citizens[1].full_name``."""
    row = re.match(r"citizens\[(\d+)\]\.(\w+)", field or "")
    if row:
        return str(
            _l(
                "%(label)s (người thứ %(n)s)",
                label=FIELD_LABELS.get(row.group(2), row.group(2)),
                n=int(row.group(1)) + 1,
            )
        )
    return str(FIELD_LABELS.get(field, field))


def status_message(status: int, problem: dict | None = None) -> str:
    """What to tell a clerk when a call did not succeed (a 409's reason when the API gave a known one)."""
    code = (problem or {}).get("code")
    if code in CONFLICTS:
        return str(CONFLICTS[code])
    if status == 0:
        return str(_l("Không kết nối được với máy chủ. Vui lòng thử lại sau ít phút."))
    if status == 401:
        return str(_l("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."))
    if status == 403:
        return str(_l("Tài khoản của bạn chưa được phép dùng chức năng này."))
    if status in (404, 405):
        return str(_l("Chức năng này chưa có trên hệ thống hoặc không tìm thấy dữ liệu."))
    if status == 409:
        return str(_l("Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại trang."))
    if status == 422:
        return str(_l("Thông tin chưa hợp lệ. Vui lòng xem lại các ô được đánh dấu."))
    if status == 429:
        return str(_l("Hệ thống đang bận. Vui lòng thử lại sau ít giây."))
    return str(_l("Hệ thống đang gặp sự cố (mã %(s)s). Vui lòng thử lại sau.", s=status))


def label(table: dict, code: str | None) -> str:
    """A code's label from one of the tables above (the code itself when unknown)."""
    if code is None:
        return ""
    return str(table.get(code, code))


from .case_labels import (  # noqa: E402  (a case's words live in their own module)
    CHANNELS,
    CLOSE_REASONS,
    CONFLICTS,
    DELIVERY_STATUSES,
    DIALOGUE_STATUSES,
    NEXT_STEPS,
    PARTICIPANT_TYPES,
)
from .petition_labels import (  # noqa: E402  (a petition's words live in their own module)
    COMPLEXITY,
    PETITION_CHANNELS,
    PETITION_FIELDS,
    PETITION_STATES,
    PETITION_STEPS,
    RESOLUTION_OUTCOMES,
    STAGES,
    petition_field_label,
    step_conflict,
)

__all__ = [
    "CHANNELS",
    "CLOSE_REASONS",
    "COMPLEXITY",
    "CONFLICTS",
    "DELIVERY_STATUSES",
    "DIALOGUE_STATUSES",
    "NEXT_STEPS",
    "PARTICIPANT_TYPES",
    "PETITION_CHANNELS",
    "PETITION_FIELDS",
    "PETITION_STATES",
    "PETITION_STEPS",
    "RESOLUTION_OUTCOMES",
    "STAGES",
    "petition_field_label",
    "step_conflict",
]
