"""Vietnamese words for the codes cases carry, for exports and printouts (labels, never codes)."""

from __future__ import annotations

STATUS = {
    "opened": "Mới tiếp nhận",
    "acknowledged": "Đã nắm thông tin",
    "in_progress": "Đang xử lý",
    "citizens_returned": "Công dân đã về",
    "resolved": "Đã giải quyết",
    "closed": "Đã kết thúc",
}
SEVERITY = {"low": "Thấp", "medium": "Trung bình", "high": "Cao", "critical": "Khẩn cấp"}
LEVEL = {"commune": "Cấp xã", "district": "Cấp huyện", "province": "Cấp tỉnh"}
CATEGORY = {"complaint": "Khiếu nại", "denunciation": "Tố cáo", "recommendation": "Kiến nghị", "feedback": "Phản ánh"}
TIMELINE = {
    "opened": "Mở vụ việc",
    "joined": "Bổ sung lượt tiếp",
    "visit_joined": "Bổ sung lượt tiếp",
    "escalation_started": "Bắt đầu báo cáo vượt cấp",
    "escalated": "Báo cáo lên cấp trên",
    "escalation_failed": "Báo cáo lên cấp trên không thành",
    "escalation_exhausted": "Hết bậc báo cáo",
    "re_escalated": "Báo cáo lại",
    "acknowledged": "Đã nắm thông tin",
    "progress": "Cập nhật tiến độ",
    "closed": "Kết thúc",
    "reopened": "Mở lại",
    "merged": "Gộp vụ việc",
    "linked": "Liên kết vụ việc",
    "unlinked": "Bỏ liên kết",
    "note": "Ghi chú",
    "updated": "Cập nhật",
    "changed": "Thay đổi thông tin",
    "severity": "Đổi mức độ",
    "group_size": "Đổi số người",
    "public_order": "Ảnh hưởng an ninh trật tự",
    "police_alerted": "Báo công an",
    "police_acknowledged": "Công an đã nắm",
    "incident": "Sự việc an ninh",
    "incident_updated": "Cập nhật sự việc an ninh",
    "incident_closed": "Công an kết thúc sự việc",
    "hotspot_linked": "Gắn với điểm nóng",
    "dialogue_scheduled": "Lên lịch đối thoại",
    "dialogue_rescheduled": "Dời lịch đối thoại",
    "dialogue_held": "Đã đối thoại",
    "task_created": "Giao việc",
    "task_done": "Hoàn thành việc",
    "province_deadline_passed": "Quá hạn yêu cầu của tỉnh",
    "step_failed": "Bước báo cáo không thành",
    "plan363": "Cập nhật theo Kế hoạch 363",
}
# What Plan 363/KH-TTCP (2019) tracks of each backlogged case: how far its resolution has come.
PLAN363_PROGRESS = {
    "not_started": "Chưa giải quyết",
    "in_progress": "Đang giải quyết",
    "resolved": "Đã giải quyết dứt điểm",
    "stopped": "Đã rà soát, đề nghị dừng xem xét",
}
PLAN363_SOURCE = {"central": "Danh sách Trung ương (Thanh tra Chính phủ chuyển)", "local": "Địa phương rà soát"}


def label(table: dict, code: str | None) -> str:
    """The Vietnamese word for ``code`` (the code itself only when no word is known)."""
    return table.get(code or "", code or "")


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("Có" if value else "Không")
