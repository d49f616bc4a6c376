"""Reporting periods (kỳ báo cáo) and their official cut-off dates, read from ``reference/report-periods.json``.

A periodic report covers the days between two cut-offs (thời gian chốt số liệu), not the calendar quarter:
the rules are data with the day they apply from and their legal basis. No framework here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

KINDS = ("quarter", "six_months", "nine_months", "year")
FILE = "report-periods.json"


@dataclasses.dataclass(frozen=True)
class Period:
    """The days a report covers (both inclusive), its Vietnamese label and the rule it follows."""

    kind: str
    start: dt.date
    end: dt.date
    label: str
    basis: str
    confirmed: bool = True
    note: str | None = None

    def as_dict(self) -> dict:
        """The period as JSON reads it (days as YYYY-MM-DD)."""
        return {**dataclasses.asdict(self), "start": self.start.isoformat(), "end": self.end.isoformat()}


class PeriodError(ValueError):
    """The period asked for does not exist (named by ``field``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def load(reference_dir: Path) -> list[dict]:
    """The cut-off rules, oldest first."""
    data = json.loads((Path(reference_dir) / FILE).read_text(encoding="utf-8"))
    return sorted(data["rules"], key=lambda r: r["effective_from"])


def _rule_for(rules: list[dict], day: dt.date) -> dict:
    found = [r for r in rules if dt.date.fromisoformat(r["effective_from"]) <= day]
    if not found:
        raise PeriodError("year", f"no reporting rule in force on {day.isoformat()}")
    return found[-1]


def _day(spec: dict, year: int) -> dt.date:
    return dt.date(year + spec.get("year_offset", 0), spec["month"], spec["day"])


def official(rules: list[dict], *, kind: str, year: int, number: int | None = None) -> Period:
    """The official period ``kind`` of ``year`` (``number`` 1-4 for a quarter), by the rule in force at its end."""
    if kind not in KINDS:
        raise PeriodError("period", f"one of {', '.join(KINDS)}")
    if kind == "quarter" and number not in (1, 2, 3, 4):
        raise PeriodError("number", "a quarter is numbered 1 to 4")
    key = f"quarter_{number}" if kind == "quarter" else kind
    rule = _rule_for(rules, dt.date(year, 12, 31))
    spec = rule["periods"][key]
    start, end = _day(spec["from"], year), _day(spec["to"], year)
    return Period(
        kind=kind,
        start=start,
        end=end,
        label=f"{spec['label']} năm {year}",
        basis=rule["basis"],
        confirmed=rule.get("confirmed", True),
        note=rule.get("note"),
    )


def ad_hoc(start: dt.date, end: dt.date) -> Period:
    """A report on request for any range of days (báo cáo đột xuất)."""
    if end < start:
        raise PeriodError("to", "the end of the period is before its start")
    return Period(
        kind="ad_hoc",
        start=start,
        end=end,
        label=f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
        basis="Báo cáo theo yêu cầu (đột xuất)",
    )


def of_year(rules: list[dict], year: int) -> list[Period]:
    """Every official period of ``year``, in the order they close."""
    out = [official(rules, kind="quarter", year=year, number=n) for n in (1, 2)]
    out.append(official(rules, kind="six_months", year=year))
    out.append(official(rules, kind="quarter", year=year, number=3))
    out.append(official(rules, kind="nine_months", year=year))
    out.append(official(rules, kind="quarter", year=year, number=4))
    out.append(official(rules, kind="year", year=year))
    return out
