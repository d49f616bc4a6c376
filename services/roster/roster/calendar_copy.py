"""Roster's own copy of the working-day calendar, in its database (lịch ngày làm việc của roster).

Seeded from ``reference/holidays-vn.json`` (and brought in line with it whenever a process starts), then
kept in step with intake's reference data by ``reference_sync`` (``intake.reference.changed``) and by the
catch-up, which reads intake's calendar (``follow_intake``). The shared ``tiepdan_common.calendar.Calendar``
is built from this copy; ``calendar_state.version`` moves with every change so every API process can tell,
with one small query, that its calendar is stale.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tiepdan_common.calendar import Calendar
from tiepdan_common.models import UTCDateTime, utcnow

from .database import Base
from .intake_client import IntakeCalendar, IntakeYear

log = logging.getLogger(__name__)

# ``holiday``: a day off (public holiday, compensatory or swapped day); ``working_day``: a make-up
# working day (a Saturday or Sunday worked); ``removed``: an administrator deleted the day (kept so an
# older, late message cannot bring it back).
KINDS = ("holiday", "working_day", "removed")


class CalendarYear(Base):
    """A year the copy knows (outside them the calendar refuses to guess)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    sources: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")


class CalendarDay(Base):
    """One listed day: a day off, a make-up working day, or a removed one."""

    __tablename__ = "calendar_days"

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, default="")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    in_exchange_for: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # intake's reference version of the change that set the row (None: from the file); a change older
    # than the row's is ignored, so messages arriving out of order converge.
    reference_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarState(Base):
    """One row: the copy's version, bumped by every change in the change's own transaction."""

    __tablename__ = "calendar_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


_STATE = CalendarState.__table__


def lock(db_session: Session) -> int:
    """Serialise changes to the copy (the state row, locked until the commit); returns the version."""
    if db_session.get_bind().dialect.name == "postgresql":
        return db_session.execute(select(_STATE.c.version).where(_STATE.c.id == 1).with_for_update()).scalar_one()
    db_session.execute(update(_STATE).where(_STATE.c.id == 1).values(version=_STATE.c.version))
    return db_session.execute(select(_STATE.c.version).where(_STATE.c.id == 1)).scalar_one()


def bump(db_session: Session) -> None:
    """Mark the copy changed (every API process rebuilds its calendar within its max age)."""
    db_session.execute(update(_STATE).where(_STATE.c.id == 1).values(version=_STATE.c.version + 1))


def version(db_session: Session) -> int:
    """The copy's version."""
    return db_session.execute(select(_STATE.c.version).where(_STATE.c.id == 1)).scalar_one()


def seed(db_session: Session, path: Path) -> int:
    """Bring the file's years and days into the copy; returns how many rows changed.

    A day an administrator set through intake (``reference_version``) wins over the file; a day that
    came from the file follows the file (corrected, or gone when the file no longer lists it).
    """
    file_calendar = Calendar.load(path)
    lock(db_session)
    changed = 0
    years = {y.year: y for y in db_session.scalars(select(CalendarYear))}
    for year in range(file_calendar.first_year, file_calendar.last_year + 1):
        info = file_calendar.year(year)
        want = {
            "status": info.status if info else "confirmed",
            "sources": list(info.sources) if info else [],
            "note": info.note if info else "",
        }
        row = years.get(year)
        if row is None:
            db_session.add(CalendarYear(year=year, **want))
            changed += 1
        elif {"status": row.status, "sources": list(row.sources or ()), "note": row.note or ""} != want:
            row.status, row.sources, row.note = want["status"], want["sources"], want["note"]
            changed += 1
    wanted = {e.date: ("holiday", e) for e in file_calendar.holidays}
    wanted |= {e.date: ("working_day", e) for e in file_calendar.makeup_working_days}
    rows = {d.date: d for d in db_session.scalars(select(CalendarDay))}
    for day, (kind, e) in wanted.items():
        row = rows.get(day)
        if row is not None and row.reference_version is not None:
            continue  # an administrator's change
        values = {
            "kind": kind,
            "name": e.name,
            "source": e.source,
            "confirmed": e.confirmed,
            "in_exchange_for": e.in_exchange_for,
        }
        if row is None:
            db_session.add(CalendarDay(date=day, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    for day, row in rows.items():
        if row.reference_version is None and day not in wanted:
            db_session.delete(row)
            changed += 1
    if changed:
        db_session.flush()
        bump(db_session)
        log.info("calendar copy: %s rows brought in line with %s", changed, path)
    return changed


def _continuing(known: set[int], offered: dict[int, IntakeYear]) -> list[IntakeYear]:
    """Intake's years the copy lacks that continue its years without a gap (the calendar's years are consecutive)."""
    if not known:
        numbers = sorted(offered)
        return [offered[n] for n in numbers] if numbers and numbers == list(range(numbers[0], numbers[-1] + 1)) else []
    added, top, bottom = [], max(known), min(known)
    while top + 1 in offered:
        top += 1
        added.append(offered[top])
    while bottom - 1 in offered:
        bottom -= 1
        added.append(offered[bottom])
    return added


def follow_intake(db_session: Session, intake: IntakeCalendar, *, now: dt.datetime) -> int:
    """Bring the copy in line with intake's calendar as of its reference version; returns how many rows changed.

    Intake is where administrators change the calendar. A day it lists that the copy lacks or has otherwise,
    and a day of a year it knows that it no longer lists, become as intake has them, marked with intake's
    version: the file no longer governs them (an administrator's day wins) and a message of an older change is
    ignored, as in ``reference_sync``. A day a newer message already set is left alone. Years intake knows
    are added when they continue the copy's; a year both know keeps the file's description.
    """
    lock(db_session)
    version, changed = intake.version, 0
    known = set(db_session.scalars(select(CalendarYear.year)))
    offered = {y.year: y for y in intake.years if y.year not in known}
    for y in _continuing(known, offered):
        status = "confirmed" if y.confirmed else "provisional"
        sources = [s for s in y.source.split("; ") if s]
        db_session.add(CalendarYear(year=y.year, status=status, sources=sources, note=y.note))
        known.add(y.year)
        changed += 1
    if set(offered) - known:
        log.warning(
            "calendar copy: intake's years %s do not continue %s; not added",
            sorted(set(offered) - known),
            sorted(known),
        )
    intake_years = {y.year for y in intake.years}
    listed = {d.date: d for d in intake.days if d.date.year in known}
    rows = {d.date: d for d in db_session.scalars(select(CalendarDay))}
    for day, entry in listed.items():
        row = rows.get(day)
        if row is not None and row.reference_version is not None and row.reference_version > version:
            continue  # a newer message already set it
        values = {
            "kind": entry.kind,
            "name": entry.name,
            "source": entry.source,
            "confirmed": entry.confirmed,
            "in_exchange_for": entry.in_exchange_for,
        }
        if row is None:
            row = CalendarDay(date=day)
            db_session.add(row)
        elif all(getattr(row, k) == v for k, v in values.items()):
            continue
        for k, v in values.items():
            setattr(row, k, v)
        row.reference_version, row.changed_at = version, now
        changed += 1
    for day, row in rows.items():
        if day in listed or row.kind == "removed" or day.year not in intake_years or day.year not in known:
            continue
        if row.reference_version is not None and row.reference_version > version:
            continue
        row.kind, row.reference_version, row.changed_at = "removed", version, now
        changed += 1
    if changed:
        db_session.flush()
        bump(db_session)
        log.info("calendar copy: %s rows brought in line with intake's calendar (version %s)", changed, version)
    return changed


def build(db_session: Session) -> Calendar:
    """The shared ``Calendar`` from the copy (days of years the copy does not know are left out)."""
    years = db_session.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()
    if not years:
        raise LookupError("the calendar copy is empty: seed it from holidays-vn.json first")
    first, last = years[0].year, years[-1].year
    data = {
        "years": [
            {"year": y.year, "status": y.status, "sources": list(y.sources or ()), "note": y.note or ""} for y in years
        ],
        "holidays": [],
        "makeup_working_days": [],
    }
    for day in db_session.scalars(select(CalendarDay).where(CalendarDay.kind != "removed").order_by(CalendarDay.date)):
        if not first <= day.date.year <= last:
            log.warning("calendar copy: %s lies outside the known years %s..%s; not used", day.date, first, last)
            continue
        entry = {"date": day.date.isoformat(), "name": day.name, "source": day.source or "", "confirmed": day.confirmed}
        if day.in_exchange_for:
            entry["in_exchange_for"] = day.in_exchange_for.isoformat()
        data["holidays" if day.kind == "holiday" else "makeup_working_days"].append(entry)
    return Calendar.from_json(data)
