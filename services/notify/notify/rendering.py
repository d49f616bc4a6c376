"""Message templates (Vietnamese first, English as a choice), rendered with Jinja2."""

from __future__ import annotations

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
SEVERITY_VI = {"low": "thấp", "medium": "trung bình", "high": "cao", "critical": "rất nghiêm trọng"}
LEVEL_VI = {"commune": "xã", "district": "huyện", "province": "tỉnh"}


def _local_time(value: str | dt.datetime) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(LOCAL).strftime("%H:%M ngày %d/%m/%Y")


_env = Environment(
    loader=PackageLoader("notify", "templates"),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)
_env.filters.update(local_time=_local_time, severity_vi=lambda s: SEVERITY_VI.get(s, s),
                    level_vi=lambda s: LEVEL_VI.get(s, s))


def render(event_type: str, context: dict, *, language: str = "vi") -> tuple[str, str]:
    """The (title, body) of a message about ``event_type``, in NFC."""
    text = _env.get_template(f"{event_type}.{language}.txt").render(**context)
    text = unicodedata.normalize("NFC", text.strip())
    title, _, body = text.partition("\n")
    return title.strip(), body.strip()
