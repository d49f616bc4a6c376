"""Roster follows intake's reference data: ``intake.reference.changed`` for holidays and make-up days.

An administrator's new holiday or make-up working day (PUT/DELETE ``/holidays/{date}`` in intake) is
applied to roster's calendar copy (``calendar_copy``) in the consumer's transaction, and the periods
covering the day are regenerated so their shifts follow (a new holiday loses its office-hours shifts
and gets a day-long standby; a make-up Saturday gains them). Shifts already started are never touched.
The catch-up covers what no message brought, from intake's calendar read through the gateway.

Idempotent twice over: the consumer machinery drops a redelivered message by id, and a change older
than the day's row (intake's ``reference_version``) is ignored, so out-of-order messages converge.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.calendar import Calendar, CalendarRangeError
from tiepdan_common.clock import local_date
from tiepdan_common.db import Database
from tiepdan_common.errors import Problem
from tiepdan_common.messaging.consumer import Consumer, PermanentFailure
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.schemas import PlausibleDate

from . import calendar_copy, intake_client
from .calendar import FILE_NAME
from .calendar_copy import CalendarDay
from .config import RosterSettings
from .duty import domain, generation
from .duty.models import DutyPeriod, Shift
from .intake_client import IntakeCalendar, IntakeUnreachable

log = logging.getLogger(__name__)

# The same range the API accepts for a date (year 1 or 9999 would overflow the day arithmetic below).
PLAUSIBLE = PlausibleDate()

EVENT = "intake.reference.changed"
CONSUMER_NAME = "roster.reference"
CATCH_UP_ACTOR = "roster.catch-up"


def _newer(row: CalendarDay | None, version: int | None) -> bool:
    """Whether a change of ``version`` may overwrite ``row`` (a file row or an older change)."""
    if row is None or row.reference_version is None or version is None:
        return True
    return version > row.reference_version


def apply_holiday(db_session: Session, data: dict, *, now: dt.datetime) -> dt.date | None:
    """Apply one holidays change to the copy; returns the day when the copy changed, None when ignored."""
    try:
        day = dt.date.fromisoformat(data["key"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"holidays change without a date key: {data.get('key')!r}") from exc
    if not PLAUSIBLE.earliest <= day <= PLAUSIBLE.latest():
        raise PermanentFailure(f"holidays change for {day.isoformat()}, outside the dates roster plans for")
    row_data, version = data.get("data") or {}, data.get("reference_version")
    calendar_copy.lock(db_session)  # one change of the copy at a time; held to the commit
    row = db_session.get(CalendarDay, day, with_for_update=db_session.get_bind().dialect.name == "postgresql")
    if not _newer(row, version):
        log.info(
            "calendar copy: change %s of %s is older than the row's %s; ignored", version, day, row.reference_version
        )
        return None
    if data["action"] == "deleted":
        if row is None:
            row = CalendarDay(date=day, name="", source="")
            db_session.add(row)
        row.kind = "removed"
    else:
        kind = row_data.get("kind", "holiday")
        if kind not in ("holiday", "working_day"):
            raise PermanentFailure(f"unknown holiday kind {kind!r}")
        if row is None:
            row = CalendarDay(date=day)
            db_session.add(row)
        elif row.kind != kind:
            row.in_exchange_for = None  # the bridge day belonged to the old kind
        row.kind, row.name, row.source = kind, row_data.get("name") or "", row_data.get("source") or ""
        row.confirmed = True
    row.reference_version, row.changed_at = version, now
    db_session.flush()
    calendar_copy.bump(db_session)
    return day


def regenerate_around(db_session: Session, day: dt.date, *, now: dt.datetime, actor: str) -> list[str]:
    """Regenerate the periods whose shifts include ``day`` (special ones first); returns their codes."""
    if day < local_date(now) - dt.timedelta(days=1):
        return []  # the past: its shifts have started and stay as worked
    calendar = calendar_copy.build(db_session)
    periods = db_session.scalars(
        select(DutyPeriod).where(DutyPeriod.starts_on <= day + dt.timedelta(days=1), DutyPeriod.ends_on >= day)
    ).all()
    done = []
    for period in sorted(periods, key=lambda p: (p.kind != "special", p.code)):
        try:
            generation.generate(db_session=db_session, period=period, calendar=calendar, actor=actor, now=now)
        except Problem as exc:  # the period reaches outside the years the calendar knows
            log.warning("period %s not regenerated after a calendar change: %s", period.code, exc)
            continue
        done.append(period.code)
    return done


def handle(db_session: Session, event: Envelope, *, now: dt.datetime, seed_from: Path | None = None) -> None:
    """One ``intake.reference.changed``: holidays are applied; units and rules are not roster's."""
    data = event.data
    if data.get("table") != "holidays":
        return
    if seed_from is not None:  # a worker that starts before any API process has seeded the copy
        calendar_copy.seed(db_session, seed_from)
    day = apply_holiday(db_session, data, now=now)
    if day is not None:
        periods = regenerate_around(db_session, day, now=now, actor=f"{EVENT}:{data.get('changed_by') or 'intake'}")
        log.info(
            "calendar copy: %s %s (%s); regenerated %s",
            data["action"],
            day,
            data.get("data", {}).get("kind"),
            periods or "no period",
        )


def consumer(settings: RosterSettings) -> Consumer:
    """The consumer the roster worker runs (seeding the copy from the reference file when it lacks a year)."""
    seed_from = Path(settings.reference_dir) / FILE_NAME
    return Consumer(
        CONSUMER_NAME, {EVENT: lambda session, event: handle(session, event, now=settings.clock(), seed_from=seed_from)}
    )


# --------------------------------------------------------------------------- catch-up


def stale_periods(db_session: Session, calendar: Calendar, *, now: dt.datetime) -> list[DutyPeriod]:
    """Generated periods whose shifts still to come do not follow the calendar (special ones first)."""
    special = {
        (kind, starts_at)
        for kind, starts_at in db_session.execute(
            select(Shift.kind, Shift.starts_at).join(Shift.period).where(DutyPeriod.kind == "special")
        )
    }
    stale = []
    for period in db_session.scalars(
        select(DutyPeriod).where(DutyPeriod.ends_on >= local_date(now) - dt.timedelta(days=1))
    ):
        shifts = set(db_session.execute(select(Shift.kind, Shift.starts_at).where(Shift.period_id == period.id)).all())
        if not shifts:
            continue  # never generated: generating it is a person's decision
        try:
            slots = list(domain.period_slots(period.starts_on, period.ends_on, calendar))
        except CalendarRangeError as exc:
            log.warning("period %s reaches outside the calendar's years: %s", period.code, exc)
            continue
        expected = {(s.kind, s.starts_at) for s in slots if s.starts_at > now}
        if period.kind == "ordinary":
            expected -= special  # a special period's shift replaces the ordinary one
        if expected != {(kind, starts_at) for kind, starts_at in shifts if starts_at > now}:
            stale.append(period)
    return sorted(stale, key=lambda p: (p.kind != "special", p.code))


def catch_up(
    db_session: Session, *, now: dt.datetime, seed_from: Path | None = None, intake: IntakeCalendar | None = None
) -> dict:
    """Bring the copy in line with the reference file, then with intake's calendar when given, and regenerate
    every period that no longer follows it.

    For changes roster could not hear about: made before its queue existed (a fresh deployment) or while
    the queue did not exist. Idempotent: a second run finds nothing to do and writes nothing.
    """
    calendar_copy.lock(db_session)  # one catch-up (or consumer) at a time; held to the commit
    changed = calendar_copy.seed(db_session, seed_from) if seed_from is not None else 0
    if intake is not None:
        changed += calendar_copy.follow_intake(db_session, intake, now=now)
    calendar = calendar_copy.build(db_session)
    regenerated = []
    for period in stale_periods(db_session, calendar, now=now):
        generation.generate(db_session=db_session, period=period, calendar=calendar, actor=CATCH_UP_ACTOR, now=now)
        regenerated.append(period.code)
    if changed or regenerated:
        log.info("calendar catch-up: %s rows of the copy changed; regenerated %s", changed, regenerated or "nothing")
    return {"copy_rows_changed": changed, "regenerated": regenerated}


def catch_up_with_intake(db: Database, settings: RosterSettings) -> dict:
    """The catch-up with intake's calendar, asked through the gateway, or with the file alone when intake
    cannot be asked (logged); ``intake_version`` says which (None: the file alone)."""
    try:
        intake = intake_client.client(settings).calendar()  # before the transaction: no lock held while asking
    except IntakeUnreachable as exc:
        log.warning("calendar catch-up: intake could not be asked (%s); following the reference file only", exc)
        intake = None
    with db.session() as session:
        result = catch_up(
            session, now=settings.clock(), seed_from=Path(settings.reference_dir) / FILE_NAME, intake=intake
        )
    return {**result, "intake_version": intake.version if intake else None}
