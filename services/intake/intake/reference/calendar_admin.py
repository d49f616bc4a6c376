"""An administrator's changes to the working-day calendar: days off and make-up working days, and whole
years (``calendar_years``: a date outside them has no working-day count). Audited and published as every
reference change (``admin.record``), serialised by the same lock (``admin.lock``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.context import request_id_var
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from .admin import lock, record
from .models import CalendarYear, Holiday, ReferenceChange


def _holiday_dict(h: Holiday) -> dict:
    return {
        "date": h.date.isoformat(),
        "name": h.name,
        "kind": h.kind,
        "source": h.source,
        "in_exchange_for": h.in_exchange_for.isoformat() if h.in_exchange_for else None,
        "confirmed": h.confirmed,
        "note": h.note,
    }


def _check_day(day: dt.date, data: dict, field: str = "") -> None:
    """A make-up working day is a weekend day standing for a weekday off; a day off stands for none."""
    if data["kind"] == "working_day" and day.weekday() < 5:
        raise field_error(f"{field}kind", "a make-up working day is a Saturday or Sunday")
    exchanged = data.get("in_exchange_for")
    if exchanged is not None:
        if data["kind"] != "working_day":
            raise field_error(f"{field}in_exchange_for", "only a make-up working day (kind working_day) has one")
        if exchanged.weekday() >= 5:
            raise field_error(f"{field}in_exchange_for", "the day off it compensates is a weekday")


def _years(db_session: Session) -> list[int]:
    return list(db_session.scalars(select(CalendarYear.year).order_by(CalendarYear.year)))


def put_holiday(*, db_session: Session, identity: Identity, day: dt.date, data: dict) -> Holiday:
    """Add or change a day off or a make-up working day of a year the calendar holds."""
    lock(db_session)
    _check_day(day, data)
    years = _years(db_session)
    if years and day.year not in years:
        raise field_error(
            "date",
            f"{day.year} is outside the calendar ({years[0]}–{years[-1]}): add the year first (POST /calendar-years)",
            code="outside_calendar",
        )
    row = db_session.get(Holiday, day)
    before = _holiday_dict(row) if row else None
    row = row or Holiday(date=day)
    row.name, row.kind, row.source = data["name"], data["kind"], data["source"]
    row.in_exchange_for, row.confirmed, row.note = data.get("in_exchange_for"), data["confirmed"], data.get("note")
    db_session.add(row)
    record(
        db_session,
        identity,
        table="holidays",
        action="updated" if before else "created",
        key=day.isoformat(),
        before=before,
        after=_holiday_dict(row),
        effective_from=day,
    )
    return row


def delete_holiday(*, db_session: Session, identity: Identity, day: dt.date, reason: str | None) -> None:
    """Remove a day off or make-up day entered in error."""
    lock(db_session)
    row = db_session.get(Holiday, day)
    if row is None:
        raise Problem(404, "No such day.", code="not_found")
    before = _holiday_dict(row)
    db_session.delete(row)
    record(
        db_session,
        identity,
        table="holidays",
        action="deleted",
        key=day.isoformat(),
        before=before,
        after=None,
        effective_from=day,
        reason=reason,
    )


def create_calendar_year(*, db_session: Session, identity: Identity, data: dict) -> CalendarYear:
    """Add the next (or the previous) year to the calendar with its days off and make-up days, at once.

    The calendar covers consecutive years, so a year is added beside those it holds: a gap would be a
    year of plain weekdays that nobody entered.
    """
    lock(db_session)
    year, years = data["year"], _years(db_session)
    if year in years:
        raise field_error("year", f"{year} is already in the calendar", status=409, code="conflict")
    if years and year not in (years[0] - 1, years[-1] + 1):
        raise field_error("year", f"the calendar holds {years[0]}–{years[-1]}: add {years[-1] + 1} or {years[0] - 1}")
    seen: set[dt.date] = set()
    for i, day in enumerate(data["days"]):
        if day["date"].year != year:
            raise field_error(f"days.{i}.date", f"not in {year}")
        if day["date"] in seen:
            raise field_error(f"days.{i}.date", "given twice")
        seen.add(day["date"])
        _check_day(day["date"], day, field=f"days.{i}.")
    if db_session.scalars(select(Holiday.date).where(Holiday.date.in_(seen))).first() is not None:
        raise field_error("days", "a day of this year is already recorded", status=409, code="conflict")
    row = CalendarYear(year=year, confirmed=data["confirmed"], source=data["source"], note=data.get("note"))
    db_session.add(row)
    for day in sorted(data["days"], key=lambda d: d["date"]):
        holiday = Holiday(
            date=day["date"],
            name=day["name"],
            kind=day["kind"],
            source=day.get("source") or data["source"],
            in_exchange_for=day.get("in_exchange_for"),
            confirmed=day["confirmed"],
            note=day.get("note"),
        )
        db_session.add(holiday)
        db_session.flush()
        # One event per day, as for PUT /holidays: the contract has no table value for the year itself.
        record(
            db_session,
            identity,
            table="holidays",
            action="created",
            key=holiday.date.isoformat(),
            before=None,
            after=_holiday_dict(holiday),
            effective_from=holiday.date,
            reason=f"calendar year {year}",
        )
    db_session.add(
        ReferenceChange(
            changed_at=now(),
            actor=identity.subject,
            actor_kind=identity.kind,
            table_name="calendar_years",
            action="created",
            record_key=str(year),
            before=None,
            after=_year_dict(row),
            reason=None,
            request_id=request_id_var.get(),
        )
    )
    return row


def _year_dict(y: CalendarYear) -> dict:
    return {"year": y.year, "confirmed": y.confirmed, "source": y.source, "note": y.note}
