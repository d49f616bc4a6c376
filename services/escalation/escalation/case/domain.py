"""Case rules free of Flask and SQLAlchemy: severity, level, when a visit becomes a case."""

from __future__ import annotations

STATUSES = ("opened", "acknowledged", "in_progress", "citizens_returned", "resolved", "closed")
OPEN_STATUSES = STATUSES[:-1]


def severity_for_group(size: int) -> str:
    """Bigger crowds are more urgent (Law 42/2013, Arts. 30-31: more officers, possibly police)."""
    if size >= 50:
        return "critical"
    if size >= 20:
        return "high"
    if size >= 10:
        return "medium"
    return "low"


def level_for_unit(unit_level: str | None) -> str:
    """A case is handled at the level where the citizens are received."""
    return unit_level if unit_level in ("commune", "district", "province") else "district"


def opens_case(
    *, group_size: int, is_mass: bool, over_level: bool, mass_case_size: int, repeated: bool = False
) -> bool:
    """A mass visit at or above the configured size, a repeated matter, or one taken over a level opens a case."""
    return (is_mass and group_size >= mass_case_size) or over_level or repeated


# Where a case may go from each status by reported progress (closing is allowed from any open status).
PROGRESS = {
    "opened": ("in_progress", "citizens_returned", "resolved"),
    "acknowledged": ("in_progress", "citizens_returned", "resolved"),
    "in_progress": ("in_progress", "citizens_returned", "resolved"),
    "citizens_returned": ("in_progress", "resolved"),
    "resolved": ("in_progress",),
}
SEVERITIES = ("low", "medium", "high", "critical")
PARTICIPANT_TYPES = ("agency", "officer", "unit", "police", "leader")


def can_progress(current: str, new: str) -> bool:
    """Whether reported progress may move a case from ``current`` to ``new``."""
    return new in PROGRESS.get(current, ())


def field_phrase(name_vi: str) -> str:
    """A field's name after "lĩnh vực" in a title: "lĩnh vực đất đai", and "lĩnh vực khác", never twice."""
    name = name_vi.strip()
    lowered = name[:1].lower() + name[1:]
    return lowered if lowered.lower().startswith("lĩnh vực") else f"lĩnh vực {lowered}"


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def is_complex(*, sources: int, over_level: bool) -> bool:
    """A matter that came back three times or went over a level is complex (phức tạp)."""
    return over_level or sources >= 3


# Why a case is closed: a code (events and police carry only these, never the officer's note).
CLOSE_REASONS = {
    "resolved": "Đã giải quyết xong",
    "citizens_returned": "Công dân đã về địa phương, tình hình ổn định",
    "withdrawn": "Công dân rút đơn",
    "merged": "Gộp vào vụ việc khác",
    "transferred": "Chuyển cơ quan có thẩm quyền giải quyết",
    "no_grounds": "Không có cơ sở giải quyết",
    # A visit that alone opened the case was voided at intake's desk (recorded in error) before anyone acknowledged.
    "opened_in_error": "Mở nhầm: lượt tiếp công dân mở vụ việc đã bị hủy",
    "other": "Lý do khác",
}
# Closing as merged goes through merging (the absorbed case needs its survivor).
CLOSABLE_REASONS = tuple(code for code in CLOSE_REASONS if code != "merged")
# What opens or joins a case (case_sources.source_type).
SOURCE_TYPES = ("visit", "incident", "province_request", "manual")
