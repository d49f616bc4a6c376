"""Vietnamese labels for shift kinds, duty roles and weekdays."""

SHIFT_KINDS = {
    "morning": "Ca sáng",
    "afternoon": "Ca chiều",
    "standby": "Thường trực ngoài giờ",
    "on_call": "Trực sẵn sàng (lãnh đạo, công an)",
}
DUTY_ROLES = {
    "lead": "Trưởng ca (Ban Tiếp công dân)",
    "inspector": "Thanh tra",
    "department": "Cán bộ phòng, ban",
    "police": "Công an",
    "standby": "Thường trực",
    "leader_on_call": "Lãnh đạo trực",
}
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def shift_kind(kind: str) -> str:
    """A shift kind in Vietnamese."""
    return SHIFT_KINDS.get(kind, kind)


def duty_role(role: str) -> str:
    """A duty role in Vietnamese."""
    return DUTY_ROLES.get(role, role)
