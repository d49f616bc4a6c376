"""A case's codes in a clerk's words: close reasons, participants, who was told, dialogues, next steps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# What comes next for an open case (the home page).
NEXT_STEPS = {
    "escalate": _l("Chưa ai tiếp nhận: báo bước tiếp theo"),
    "exhausted": _l("Đã báo hết các bước mà chưa ai tiếp nhận"),
    "progress": _l("Đã tiếp nhận: chờ báo tiến độ"),
    "acknowledge": _l("Chờ tiếp nhận"),
    "work": _l("Đang xử lý"),
}

# Why a case is closed (escalation's close reasons; the API's list decides which are offered).
CLOSE_REASONS = {
    "resolved": _l("Đã giải quyết xong"),
    "citizens_returned": _l("Công dân đã về địa phương, tình hình ổn định"),
    "withdrawn": _l("Công dân rút đơn"),
    "merged": _l("Gộp vào vụ việc khác"),
    "transferred": _l("Chuyển cơ quan có thẩm quyền giải quyết"),
    "no_grounds": _l("Không có cơ sở giải quyết"),
    "other": _l("Lý do khác"),
}

PARTICIPANT_TYPES = {
    "agency": _l("Cơ quan"),
    "officer": _l("Cán bộ"),
    "unit": _l("UBND xã, thị trấn"),
    "police": _l("Công an"),
    "leader": _l("Lãnh đạo"),
}

DELIVERY_STATUSES = {
    "pending": _l("Đang gửi"),
    "sent": _l("Đã gửi"),
    "dead": _l("Gửi không được"),
    "cancelled": _l("Đã hủy"),
    "skipped": _l("Không gửi được (chưa có địa chỉ, kênh)"),
    "delivered": _l("Đã đến nơi"),
    "acknowledged": _l("Đã xác nhận"),
    "failed": _l("Gửi không được"),
}

CHANNELS = {
    "inbox": _l("Hộp thư trên hệ thống"),
    "sms": _l("Tin nhắn SMS"),
    "email": _l("Thư điện tử"),
    "webhook": _l("Kết nối tự động (webhook)"),
}

DIALOGUE_STATUSES = {
    "scheduled": _l("Đã lên lịch"),
    "held": _l("Đã đối thoại"),
    "cancelled": _l("Đã hủy"),
    "skipped": _l("Công dân không đến"),
}

# A 409's code from the API, in the clerk's words.
CONFLICTS = {
    "already_closed": _l("Vụ việc đã đóng."),
    "not_allowed_now": _l("Bước này không làm được ở trạng thái hiện tại của hồ sơ."),
    "invalid_transition": _l("Bước này không làm được ở trạng thái hiện tại của hồ sơ."),
}
