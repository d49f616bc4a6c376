"""Message templates (Vietnamese first, English as a choice), rendered with Jinja2."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context

from tiepdan_common.clock import local, today
from tiepdan_common.dated import version_on

from .units.service import reference_folder

SEVERITY_VI = {"low": "thấp", "medium": "trung bình", "high": "cao", "critical": "rất nghiêm trọng"}
LEVEL_VI = {"commune": "xã", "district": "huyện", "province": "tỉnh"}
STATUS_VI = {"watching": "theo dõi", "active": "đang diễn biến", "defused": "đã ổn định"}
DUTY_ROLE_VI = {
    "lead": "trực chính",
    "inspector": "thanh tra",
    "department": "phòng ban",
    "police": "công an",
    "standby": "dự bị",
    "leader_on_call": "lãnh đạo trực",
}
CATEGORY_VI = {
    "complaint": "khiếu nại",
    "denunciation": "tố cáo",
    "recommendation": "kiến nghị",
    "feedback": "phản ánh",
}

REQUEST_STATUS_VI = {
    "received": "đã tiếp nhận",
    "assigned": "đã phân công cán bộ",
    "officers_sent": "đã cử cán bộ đi đón",
    "citizens_returned": "công dân đã trở về",
    "completed": "đã hoàn thành",
}
REQUEST_CHANGE_VI = {
    "assigned": "đã phân công cán bộ",
    "officers_sent": "đã cử cán bộ đi đón công dân",
    "citizens_returned": "công dân đã trở về địa phương",
    "completed": "đã hoàn thành",
    "deadline_passed": "đã quá thời hạn nhưng chưa hoàn thành",
}
REQUEST_CHANGE_EN = {
    "assigned": "officers assigned",
    "officers_sent": "officers sent to bring the citizens home",
    "citizens_returned": "the citizens are home",
    "completed": "completed",
    "deadline_passed": "the deadline passed before it was done",
}


def _change_vi(change: dict) -> str:
    """One change of a case (``escalation.case.changed``), in Vietnamese."""
    kind, before, after = change.get("kind"), change.get("from"), change.get("to")
    if kind == "group_size":
        return f"số người tăng từ {before} lên {after}" if before is not None else f"số người lên {after}"
    if kind == "severity":
        return f"mức độ nâng từ {SEVERITY_VI.get(before, before)} lên {SEVERITY_VI.get(after, after)}"
    return {
        "public_order": "có nguy cơ ảnh hưởng an ninh trật tự",
        "visit_joined": "có thêm lượt công dân đến",
        "hotspot_linked": "gắn với một điểm nóng",
        "merged": "được gộp với vụ việc khác",
        "reopened": "được mở lại",
        "acknowledgement_expired": "quá thời hạn mà chưa có người xác nhận",
        "check_in_missed": "quá hạn báo cáo tiến độ xử lý",
    }.get(kind, str(kind))


def _change_en(change: dict) -> str:
    kind, before, after = change.get("kind"), change.get("from"), change.get("to")
    if kind == "group_size":
        return f"group grew from {before} to {after}" if before is not None else f"group now {after}"
    if kind == "severity":
        return f"severity raised from {before} to {after}"
    return {
        "public_order": "flagged as a public-order risk",
        "visit_joined": "another visit joined",
        "hotspot_linked": "linked to a hot spot",
        "merged": "merged with another case",
        "reopened": "reopened",
        "acknowledgement_expired": "nobody acknowledged it in time",
        "check_in_missed": "a progress check-in was missed",
    }.get(kind, str(kind))


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value


def _local_time(value: str | dt.datetime) -> str:
    return local(_as_datetime(value)).strftime("%H:%M ngày %d/%m/%Y")


def _local_time_en(value: str | dt.datetime) -> str:
    return local(_as_datetime(value)).strftime("%H:%M on %d/%m/%Y")


def _local_date(value: str) -> str:
    return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")


@lru_cache(maxsize=1)
def _fields() -> dict:
    """Field names from the reference data, when it can be found."""
    folder = reference_folder()
    if folder is None:
        return {}
    return {f["code"]: f for f in json.loads((folder / "fields.json").read_text(encoding="utf-8"))["fields"]}


def unit_name(code, units: Mapping[str, list[dict]], on: dt.date | None = None) -> str:
    """A unit's name in notify's copy (``units.service.names``) as it stands on ``on`` (today in Viet Nam):
    «Phường Mỹ Xuyên» for 31684 since July 2025; a code the copy does not know stands for itself."""
    if not code:
        return ""
    found = version_on(units.get(str(code), []), on or today())
    return found["name"] if found else str(code)


def _field(code, language: str = "vi") -> str:
    found = _fields().get(code)
    return found[f"name_{language}"] if found else str(code)


ON, UNITS = "_notify_on", "_notify_units"  # context variables: the day units are named on, and their names

_env = Environment(
    loader=PackageLoader("notify", "templates"),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)
_env.filters.update(
    local_time=_local_time,
    local_time_en=_local_time_en,
    local_date=_local_date,
    severity_vi=lambda s: SEVERITY_VI.get(s, s),
    level_vi=lambda s: LEVEL_VI.get(s, s),
    status_vi=lambda s: STATUS_VI.get(s, s),
    duty_role_vi=lambda s: DUTY_ROLE_VI.get(s, s),
    category_vi=lambda s: CATEGORY_VI.get(s, s),
    unit_name=pass_context(lambda context, code: unit_name(code, context.get(UNITS) or {}, context.get(ON))),
    field_vi=lambda c: _field(c, "vi"),
    field_en=lambda c: _field(c, "en"),
    change_vi=_change_vi,
    change_en=_change_en,
    request_status_vi=lambda s: REQUEST_STATUS_VI.get(s, s),
    request_change_vi=lambda s: REQUEST_CHANGE_VI.get(s, s),
    request_change_en=lambda s: REQUEST_CHANGE_EN.get(s, s),
)


def has_template(name: str) -> bool:
    """True when template ``name`` exists in both languages."""
    known = _env.list_templates()
    return f"{name}.vi.txt" in known and f"{name}.en.txt" in known


def render(
    event_type: str,
    context: dict,
    *,
    language: str = "vi",
    on: dt.date | None = None,
    units: Mapping[str, list[dict]] | None = None,
) -> tuple[str, str]:
    """The (title, body) of a message about ``event_type``, in NFC; ``units`` (notify's copy of unit names) are
    named as they stand ``on`` that day in Viet Nam (the day the message is made, by the service's clock)."""
    text = _env.get_template(f"{event_type}.{language}.txt").render(**context, **{ON: on, UNITS: units})
    text = unicodedata.normalize("NFC", text.strip())
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()
