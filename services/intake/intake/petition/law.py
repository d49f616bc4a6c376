"""The dated petition rules of ``law.json``: extra deadlines, channels, steps and grounds by the day."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

LAW_FILE = Path(__file__).with_name("law.json")


@dataclasses.dataclass(frozen=True)
class Ground:
    """A legal ground for not accepting a petition."""

    code: str
    category: str
    name_vi: str
    source: str
    effective_from: dt.date


@lru_cache(maxsize=1)
def _data() -> dict:
    raw = json.loads(LAW_FILE.read_text(encoding="utf-8"))
    for section in ("rules", "channels", "steps", "grounds"):
        for row in raw[section]:
            row["effective_from"] = dt.date.fromisoformat(row["effective_from"])
    return raw


def rule(key: str, on: dt.date):
    """The value of rule ``key`` in force on ``on``; ``None`` when none is yet."""
    rows = sorted(
        (r for r in _data()["rules"] if r["key"] == key and r["effective_from"] <= on),
        key=lambda r: r["effective_from"],
    )
    return rows[-1]["value"] if rows else None


def rule_from(key: str) -> dt.date | None:
    """The first day rule ``key`` is in force."""
    days = [r["effective_from"] for r in _data()["rules"] if r["key"] == key]
    return min(days) if days else None


def channel_from(channel: str) -> dt.date | None:
    """The first day petitions may be received through ``channel``."""
    days = [c["effective_from"] for c in _data()["channels"] if c["channel"] == channel]
    return min(days) if days else None


def channels() -> tuple[str, ...]:
    """Every channel the law knows, whatever its date."""
    return tuple(dict.fromkeys(c["channel"] for c in _data()["channels"]))


def steps_available_from() -> dict[str, dict[str, dt.date]]:
    """step -> category -> the first day of receipt the step applies to."""
    out: dict[str, dict[str, dt.date]] = {}
    for row in _data()["steps"]:
        out.setdefault(row["step"], {})[row["category"]] = row["effective_from"]
    return out


def grounds(*, category: str | None = None, on: dt.date | None = None) -> list[Ground]:
    """The grounds for not accepting, of ``category`` and in force on ``on`` when given."""
    return [
        Ground(g["code"], g["category"], g["name_vi"], g["source"], g["effective_from"])
        for g in _data()["grounds"]
        if (category is None or g["category"] == category) and (on is None or g["effective_from"] <= on)
    ]
