"""Calendar feeds behind secret links, the roster as XLSX, and a printable page."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import secrets

import icalendar
from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import LOCAL, local, local_date
from tiepdan_common.errors import Problem, field_error

from ..audit import service as audit
from ..directory.models import Agency, Officer
from ..duty import service as duty
from ..duty.models import Assignment, Shift
from . import labels
from .models import CalendarFeed

FEED_PAST = dt.timedelta(days=30)
FEED_AHEAD = dt.timedelta(days=120)
_DUMMY_HASH = hashlib.sha256(b"no such feed").hexdigest()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_feed(
    *, db_session: Session, scope: str, subject: str, actor: str, now: dt.datetime
) -> tuple[CalendarFeed, str]:
    """A new secret link for an officer's or an agency's shifts; the secret is returned once, never stored."""
    model = Officer if scope == "officer" else Agency
    if db_session.get(model, subject) is None:
        raise field_error("subject", f"no such {scope}")
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        id=secrets.token_hex(8),
        scope=scope,
        subject=subject,
        secret_hash=_hash(secret),
        created_at=now,
        created_by=actor,
    )
    db_session.add(feed)
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="calendar_feed.created",
        entity="calendar_feed",
        entity_id=feed.id,
        detail={"scope": scope, "subject": subject},
    )
    return feed, secret


def revoke_feed(*, db_session: Session, feed_id: str, actor: str, now: dt.datetime) -> None:
    """Revoke a secret calendar link (its URL answers 404 from now on)."""
    feed = db_session.get(CalendarFeed, feed_id)
    if feed is None or feed.revoked:
        raise Problem(404, "No such calendar feed.")
    feed.revoked = True
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="calendar_feed.revoked",
        entity="calendar_feed",
        entity_id=feed.id,
    )


def open_feed(*, db_session: Session, feed_id: str, secret: str) -> CalendarFeed:
    """The feed if ``secret`` is its secret (compared in constant time), else 404 whatever was wrong."""
    feed = db_session.get(CalendarFeed, feed_id)
    expected = feed.secret_hash if feed is not None and not feed.revoked else _DUMMY_HASH
    if not hmac.compare_digest(expected, _hash(secret)) or feed is None or feed.revoked:
        raise Problem(404, "No such calendar feed.")
    return feed


def _assignments(
    db_session: Session, *, start: dt.datetime, end: dt.datetime, officer: str | None = None, agency: str | None = None
) -> list[tuple[Shift, Assignment]]:
    stmt = (
        select(Shift, Assignment)
        .join(Assignment.shift)
        .join(Assignment.officer)
        .where(Shift.starts_at < end, Shift.ends_at > start)
        .order_by(Shift.starts_at, Assignment.id)
    )
    if officer:
        stmt = stmt.where(Assignment.officer_code == officer)
    if agency:
        stmt = stmt.where(Officer.agency_code == agency)
    return [(s, a) for s, a in db_session.execute(stmt).all()]


def calendar(*, db_session: Session, feed: CalendarFeed, now: dt.datetime) -> bytes:
    """The feed's shifts from a month back to four months ahead, as iCalendar."""
    kwargs = {feed.scope: feed.subject}
    rows = _assignments(db_session, start=now - FEED_PAST, end=now + FEED_AHEAD, **kwargs)
    subject = db_session.get(Officer if feed.scope == "officer" else Agency, feed.subject)
    name = subject.full_name if feed.scope == "officer" else subject.name
    cal = icalendar.Calendar()
    cal.add("prodid", "-//tiepdan//roster//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Lịch trực tiếp công dân – {name}")
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    boards = [a for a in duty.agencies(db_session=db_session) if a.kind == "board"]
    for shift, a in rows:
        event = icalendar.Event()
        event.add("uid", f"roster-assignment-{a.id}@tiepdan")
        event.add("dtstamp", now)
        event.add("dtstart", shift.starts_at)
        event.add("dtend", shift.ends_at)
        event.add(
            "summary", f"{labels.shift_kind(shift.kind)}: {labels.duty_role(a.duty_role)} – {a.officer.full_name}"
        )
        event.add("description", f"{shift.period.name}. Cán bộ: {a.officer.full_name} ({a.officer.agency.name}).")
        day = local_date(shift.starts_at)
        board = next((a for a in boards if a.in_force(day)), None)  # the unit's name comes from data
        if board is not None:
            event.add("location", f"Trụ sở {board.name}")
        cal.add_component(event)
    return cal.to_ical()


def roster_rows(*, db_session: Session, start: dt.date, end: dt.date) -> list[dict]:
    """One row per assignment between two local dates, with Vietnamese labels, for XLSX and print."""
    lo, hi = (dt.datetime.combine(d, dt.time(0), tzinfo=LOCAL) for d in (start, end + dt.timedelta(days=1)))
    rows = []
    for shift in duty.shifts_between(db_session=db_session, start=lo, end=hi):
        begins = local(shift.starts_at)
        if begins < lo:
            continue
        for a in shift.assignments:
            phone = next((c.address for c in a.officer.channels if c.kind == "phone"), "")
            rows.append(
                {
                    "date": begins.date(),
                    "weekday": labels.WEEKDAYS[begins.weekday()],
                    "shift": labels.shift_kind(shift.kind),
                    "from": begins.strftime("%H:%M"),
                    "to": local(shift.ends_at).strftime("%H:%M"),
                    "role": labels.duty_role(a.duty_role),
                    "officer": a.officer.full_name,
                    "code": a.officer_code,
                    "agency": a.officer.agency.name,
                    "phone": phone,
                    "note": a.note,
                }
            )
    return rows


XLSX_HEADERS = ("Ngày", "Thứ", "Ca", "Từ", "Đến", "Nhiệm vụ", "Cán bộ", "Mã", "Cơ quan", "Điện thoại", "Ghi chú")


def xlsx(*, rows: list[dict], title: str) -> bytes:
    """The roster as an Excel workbook."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Lịch trực"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(XLSX_HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(
            [
                r["date"],
                r["weekday"],
                r["shift"],
                r["from"],
                r["to"],
                r["role"],
                r["officer"],
                r["code"],
                r["agency"],
                r["phone"],
                r["note"],
            ]
        )
    for col, width in zip("ABCDEFGHIJK", (12, 10, 22, 7, 7, 30, 26, 12, 40, 15, 30)):
        ws.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


_templates = Environment(loader=PackageLoader("roster", "templates"), autoescape=select_autoescape(["html"]))


def printable(*, db_session: Session, rows: list[dict], start: dt.date, end: dt.date, now: dt.datetime) -> str:
    """The roster as a printable page in Vietnamese, headed by the unit and board in force on ``start``."""
    days: dict[dt.date, list[dict]] = {}
    for r in rows:
        days.setdefault(r["date"], []).append(r)
    board = duty.board_on(db_session=db_session, day=start)
    unit, office = (board.unit_name, board.name) if board is not None else ("", "")
    return _templates.get_template("roster.html").render(
        days=sorted(days.items()),
        start=start,
        end=end,
        printed=local(now),
        weekdays=labels.WEEKDAYS,
        unit=unit,
        office=office,
    )
