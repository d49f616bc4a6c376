"""The duty roster's timed job: shift-starting reminders, one ``roster.shift.starting`` per shift however many
workers run."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from tiepdan_common.db import Database

from ..config import RosterSettings
from ..database import outbox
from .models import Shift


def send_due(*, db_session: Session, now: dt.datetime, lead: dt.timedelta) -> list[int]:
    """Stage a reminder for each shift starting within ``lead`` of ``now`` not yet reminded; returns their ids."""
    due = db_session.scalars(
        select(Shift)
        .where(Shift.reminded_at.is_(None), Shift.starts_at > now - lead, Shift.starts_at <= now + lead)
        .options(selectinload(Shift.assignments))
        .order_by(Shift.starts_at)
    ).all()
    sent = []
    for shift in due:
        if not shift.assignments:
            continue
        # Compare-and-set: a second worker's UPDATE finds reminded_at already set and changes nothing.
        claimed = db_session.execute(
            update(Shift)
            .where(Shift.id == shift.id, Shift.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        outbox.add(
            db_session,
            "roster.shift.starting",
            {
                "shift_id": shift.id,
                "shift_kind": shift.kind,
                "starts_at": shift.starts_at.isoformat(),
                "ends_at": shift.ends_at.isoformat(),
                "officers": [{"code": a.officer_code, "duty_role": a.duty_role} for a in shift.assignments],
            },
        )
        sent.append(shift.id)
    return sent


def remind_once(db: Database, settings: RosterSettings) -> list[int]:
    """One pass of the reminder timer: stage reminders for shifts starting soon (each shift once)."""
    with db.session() as session:
        return send_due(db_session=session, now=settings.clock(), lead=dt.timedelta(minutes=settings.reminder_minutes))
