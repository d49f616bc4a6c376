"""Jinja filters: times in Viet Nam's (tiepdan_common.clock.LOCAL), durations in words, the API's codes as labels."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from tiepdan_common.clock import LOCAL

from . import labels, reference
from .timekeeping import today_local


def parse_time(value) -> dt.datetime | None:
    """An aware datetime from the API's ISO text (None when empty or unreadable)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def local(value, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A time as the officer reads it, in Vietnam's time zone."""
    parsed = parse_time(value)
    return parsed.astimezone(LOCAL).strftime(fmt) if parsed else ""


DAY_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %Hh%M", "%d/%m/%Y")


def parse_local(text) -> dt.datetime | None:
    """A time typed day/month/year (``26/11/2026 09:30`` or ``26/11/2026``) in Vietnam's time; ISO text too."""
    text = " ".join(str(text or "").split())
    if not text:
        return None
    for candidate in (text, text.replace("-", "/").replace(".", "/")):
        for fmt in DAY_FORMATS:
            try:
                return dt.datetime.strptime(candidate, fmt).replace(tzinfo=LOCAL)
            except ValueError:
                continue
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL)


def parse_day(text) -> dt.date | None:
    """A calendar day typed day/month/year (or ISO ``2026-11-26``)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    parsed = parse_local(text)
    return parsed.date() if parsed else None


def hour(value) -> str:
    return local(value, "%H:%M")


def day(value) -> str:
    return local(value, "%d/%m/%Y")


def elapsed(value, now: dt.datetime | None = None) -> str:
    """How long ago, in words (``12 phút``, ``3 giờ 5 phút``, ``2 ngày``)."""
    parsed = parse_time(value)
    if not parsed:
        return ""
    seconds = max(0, int(((now or dt.datetime.now(dt.UTC)) - parsed).total_seconds()))
    if seconds < 60:
        return _("vừa xong")
    minutes = seconds // 60
    if minutes < 60:
        return _("%(m)s phút", m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)s giờ %(m)s phút", h=hours, m=minutes)
    return _("%(d)s ngày", d=hours // 24)


def participant(p) -> str:
    """A case participant's name: an agency's, an officer's or a commune's, by its type."""
    if not isinstance(p, dict):
        return str(p or "")
    kind, value = p.get("type"), p.get("value")
    if kind in ("agency", "police"):
        return reference.agency_name(value)
    if kind in ("officer", "leader"):
        return reference.officer_name(value)
    if kind == "unit":
        return reference.unit_name(value)
    return value or ""


def days_left(deadline, today: dt.date | None = None) -> int | None:
    """Calendar days from today to a deadline (negative when past), None without a deadline."""
    if not deadline:
        return None
    try:
        day = deadline if isinstance(deadline, dt.date) else dt.date.fromisoformat(str(deadline)[:10])
    except ValueError:
        return None
    return (day - (today or today_local())).days


def date_vn(value) -> str:
    """A calendar day (``2026-11-26``) as day/month/year."""
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def init_app(app) -> None:
    """Register the filters."""
    app.jinja_env.filters.update(
        local=local,
        hour=hour,
        day=day,
        elapsed=elapsed,
        category=lambda c: labels.label(labels.CATEGORIES, c),
        outcome=lambda c: labels.label(labels.OUTCOMES, c),
        refusal=lambda c: labels.label(labels.REFUSAL_GROUNDS, c),
        case_status=lambda c: labels.label(labels.CASE_STATUSES, c),
        severity=lambda c: labels.label(labels.SEVERITIES, c),
        level=lambda c: labels.label(labels.LEVELS, c),
        duty_role=lambda c: labels.label(labels.DUTY_ROLES, c),
        shift_kind=lambda c: labels.label(labels.SHIFT_KINDS, c),
        officer_role=lambda c: labels.label(labels.OFFICER_ROLES, c),
    )
    app.jinja_env.filters.update(participant=participant, days_left=days_left, date=date_vn)
    app.jinja_env.filters["officer"] = reference.officer_name
    app.jinja_env.filters["agency"] = reference.agency_name
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
