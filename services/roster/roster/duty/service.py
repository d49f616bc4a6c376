"""Generating the roster and answering "who is on duty at time T"."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from ..directory.models import Agency, Officer
from . import domain
from .models import Assignment, DutyPeriod, Holiday, Shift


def holidays(*, db_session: Session) -> set[dt.date]:
    return set(db_session.scalars(select(Holiday.date)))


def seed_holidays(*, db_session: Session, path: Path) -> int:
    rows = json.loads(path.read_text(encoding="utf-8"))["holidays"]
    for row in rows:
        db_session.merge(Holiday(date=dt.date.fromisoformat(row["date"]), name=row["name"]))
    return len(rows)


def ensure_period(*, db_session: Session, code: str, name: str, starts_on: dt.date, ends_on: dt.date) -> DutyPeriod:
    """The period with ``code``, created or updated to these dates."""
    period = db_session.scalar(select(DutyPeriod).where(DutyPeriod.code == code))
    if period is None:
        period = DutyPeriod(code=code, name=name, starts_on=starts_on, ends_on=ends_on)
        db_session.add(period)
    else:
        period.name, period.starts_on, period.ends_on = name, starts_on, ends_on
    db_session.flush()
    return period


def generate(*, db_session: Session, period: DutyPeriod) -> int:
    """Fill the period's shifts by round-robin within each agency kind; returns the number of assignments."""
    db_session.execute(delete(Shift).where(Shift.period_id == period.id))
    officers = db_session.scalars(select(Officer).where(Officer.active.is_(True))).all()
    pools = {
        kinds: [o.code for o in officers if o.agency.kind in kinds]
        for requirements in domain.REQUIREMENTS.values()
        for kinds, _count in requirements.values()
    }
    rotation = domain.Rotation(pools)
    count = 0
    for slot in domain.period_slots(period.starts_on, period.ends_on, holidays(db_session=db_session)):
        shift = Shift(period_id=period.id, kind=slot.kind, starts_at=slot.starts_at, ends_at=slot.ends_at)
        busy: set[str] = set()
        for duty_role, (kinds, how_many) in domain.REQUIREMENTS[slot.kind].items():
            for code in rotation.take(kinds, how_many, busy):
                busy.add(code)
                shift.assignments.append(Assignment(officer_code=code, duty_role=duty_role))
                count += 1
        db_session.add(shift)
    db_session.flush()
    return count


def on_duty(*, db_session: Session, at: dt.datetime, duty_role: str | None = None,
            agency: str | None = None) -> list[tuple[Shift, Assignment]]:
    """Every (shift, assignment) covering instant ``at``, optionally of one duty role or agency."""
    stmt = (
        select(Shift)
        .where(Shift.starts_at <= at, Shift.ends_at > at)
        .options(selectinload(Shift.assignments))
        .order_by(Shift.starts_at)
    )
    found = []
    for shift in db_session.scalars(stmt):
        for assignment in shift.assignments:
            if duty_role and assignment.duty_role != duty_role:
                continue
            if agency and assignment.officer.agency_code != agency:
                continue
            found.append((shift, assignment))
    return found


def shifts_between(*, db_session: Session, start: dt.datetime, end: dt.datetime) -> list[Shift]:
    return list(db_session.scalars(
        select(Shift).where(Shift.starts_at < end, Shift.ends_at > start).order_by(Shift.starts_at, Shift.kind)
    ))


def agencies(*, db_session: Session) -> list[Agency]:
    return list(db_session.scalars(select(Agency).order_by(Agency.kind, Agency.code)))
