"""Who must receive citizens how often, as dated data (reference/reception-duties.json); no framework.

The law changed on 1 July 2026 (Law 136/2025/QH15): a commune chair receives at least 2 days a month
instead of 1 day a week, and may no longer delegate to a deputy. Each rule carries its dates and
source, and every question is asked about a day, so a June report applies June's rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

FILE_NAME = "reception-duties.json"
PER_VI = {"week": "1 tuần", "month": "1 tháng"}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclasses.dataclass(frozen=True)
class Duty:
    """One post's reception duty while in force: ``days`` per ``per`` (week or month)."""

    obligation: str
    holder: str
    days: int
    per: str
    delegation_allowed: bool
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    confirmed: bool = True

    def in_force(self, day: dt.date) -> bool:
        """True when this rule applies on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def text(self) -> str:
        """The rule in Vietnamese, with its source."""
        return f"{self.holder}: ít nhất {self.days} ngày trong {PER_VI[self.per]} ({self.source})"


@dataclasses.dataclass(frozen=True)
class Publication:
    """How many working days ahead a reception day must be published while in force."""

    working_days_ahead: int
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def in_force(self, day: dt.date) -> bool:
        """True when this rule applies on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclasses.dataclass(frozen=True)
class DutyBook:
    """Every dated reception duty and publication rule."""

    duties: tuple[Duty, ...]
    publication: tuple[Publication, ...]

    @classmethod
    def from_json(cls, data: dict) -> DutyBook:
        """The book from the reception-duties.json shape."""
        duties = tuple(
            Duty(
                obligation=d["obligation"],
                holder=d["holder"],
                days=int(d["days"]),
                per=d["per"],
                delegation_allowed=bool(d["delegation_allowed"]),
                valid_from=_date(d["valid_from"]),
                valid_to=_date(d.get("valid_to")),
                source=d["source"],
                confirmed=bool(d.get("confirmed", True)),
            )
            for d in data["duties"]
        )
        for d in duties:
            if d.per not in PER_VI or d.days < 1:
                raise ValueError(f"{d.obligation}: days must be positive, per a week or a month")
            clash = [
                o
                for o in duties
                if o is not d
                and o.obligation == d.obligation
                and o.valid_from <= (d.valid_to or dt.date.max)
                and d.valid_from <= (o.valid_to or dt.date.max)
            ]
            if clash:
                raise ValueError(f"{d.obligation}: two rules in force from {d.valid_from.isoformat()}")
        publication = tuple(
            Publication(
                working_days_ahead=int(p["working_days_ahead"]),
                valid_from=_date(p["valid_from"]),
                valid_to=_date(p.get("valid_to")),
                source=p["source"],
            )
            for p in data["publication"]
        )
        return cls(duties=duties, publication=publication)

    @classmethod
    def load(cls, path: str | Path) -> DutyBook:
        """The book from a JSON file."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    def duty_on(self, obligation: str, day: dt.date) -> Duty | None:
        """The rule for ``obligation`` in force on ``day``, if any (a district chair has none after June 2025)."""
        return next((d for d in self.duties if d.obligation == obligation and d.in_force(day)), None)

    def ahead_on(self, day: dt.date) -> int:
        """Working days a reception on ``day`` must be published ahead (0 when no rule is in force)."""
        rule = next((p for p in self.publication if p.in_force(day)), None)
        return rule.working_days_ahead if rule else 0


def mondays(year: int, month: int) -> list[dt.date]:
    """The Mondays of a month: the ISO weeks a weekly duty answers for in that month."""
    day = dt.date(year, month, 1)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    found = []
    while day.month == month:
        found.append(day)
        day += dt.timedelta(days=7)
    return found


def assess(book: DutyBook, obligation: str, year: int, month: int, days: list[dt.date]) -> dict | None:
    """What the month requires of a post under the rules in force, what counts, and what is missing.

    A weekly rule answers for each ISO week whose Monday falls in the month (by the rule in force on
    that Monday); a monthly rule answers for the month (by the rule in force on its first day). ``days``
    are the reception days that count (published in time), including a week's days in the next month.
    None when no rule applies in the month.
    """
    first = dt.date(year, month, 1)
    monthly = book.duty_on(obligation, first)
    monthly = monthly if monthly is not None and monthly.per == "month" else None
    weekly = [(m, d) for m in mondays(year, month) if (d := book.duty_on(obligation, m)) and d.per == "week"]
    if monthly is None and not weekly:
        return None
    required, scheduled, missing = 0, 0, []
    for monday, duty in weekly:
        week = monday.isocalendar()[:2]
        held = sum(1 for d in days if d.isocalendar()[:2] == week)
        required += duty.days
        scheduled += min(held, duty.days)
        if held < duty.days:
            missing.append(f"{week[0]}-W{week[1]:02d}")
    if monthly is not None:
        required += monthly.days
        scheduled += sum(1 for d in days if d.year == year and d.month == month)
    rules = ([monthly] if monthly else []) + [d for _m, d in weekly if d not in (monthly,)]
    rules = list(dict.fromkeys(rules))
    return {
        "required": required,
        "scheduled": scheduled,
        "missing_weeks": missing,
        "behind": scheduled < required,
        "per": rules[0].per,
        "rule": "; ".join(r.text for r in rules),
        "confirmed": all(r.confirmed for r in rules),
        "delegation_allowed": all(r.delegation_allowed for r in rules),
    }
