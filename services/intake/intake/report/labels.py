"""Vietnamese labels of the codes used in the API (exports and printable pages are Vietnamese first)."""

CATEGORY = {
    "complaint": "Khiếu nại",
    "denunciation": "Tố cáo",
    "recommendation": "Kiến nghị",
    "feedback": "Phản ánh",
}

OUTCOME = {
    "documents_taken": "Tiếp nhận đơn, tài liệu",
    "guided": "Hướng dẫn đến cơ quan có thẩm quyền",
    "returned_to_lower_level": "Chuyển cấp dưới giải quyết",
    "explained_closed": "Giải thích, kết thúc (đã giải quyết đúng)",
    "refused": "Từ chối tiếp",
}

REFUSAL_GROUND = {
    "intoxicated_or_incapacitated": "Say rượu, mất năng lực hành vi (Điều 9 khoản 1)",
    "threats_insults_or_rule_breaking": "Đe dọa, xúc phạm, vi phạm nội quy (Điều 9 khoản 2, 3)",
    "already_resolved_persisting": "Vụ việc đã giải quyết đúng nhưng vẫn cố tình khiếu nại kéo dài (Điều 9 khoản 4)",
}

CHANNEL = {
    "visit": "Qua tiếp công dân",
    "post": "Qua bưu chính",
    "email": "Thư điện tử",
    "forwarded": "Cơ quan khác chuyển đến",
    "online": "Tiếp nhận trực tuyến",
}

STATUS = {
    "received": "Đã tiếp nhận",
    "accepted": "Đã thụ lý",
    "guided": "Đã hướng dẫn",
    "forwarded": "Đã chuyển đơn",
    "returned_to_lower_level": "Đã chuyển cấp dưới",
    "archived": "Lưu đơn",
    "resolved": "Đã giải quyết",
    "repeat": "Đơn trùng",
    "not_accepted": "Không thụ lý",
    "temporarily_suspended": "Tạm đình chỉ giải quyết",
    "suspended": "Đình chỉ giải quyết",
    "withdrawn": "Đã rút đơn",
    "inspection": "Dùng cho thanh tra, kiểm tra (tố cáo nặc danh)",
    "filed": "Lưu đơn (tố cáo nặc danh)",
    "voided": "Đã hủy",
}

DECISION = {
    "accept": "Thụ lý",
    "not_accept": "Không thụ lý",
    "guide": "Hướng dẫn",
    "forward": "Chuyển đơn",
    "request_lower_level": "Đề nghị cấp dưới giải quyết",
    "archive": "Lưu đơn",
}


def yes_no(value: bool) -> str:
    return "Có" if value else "Không"
