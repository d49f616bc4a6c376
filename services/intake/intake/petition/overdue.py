"""Finding overdue petitions and reporting each once per stage (``intake.petition.overdue``)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.clock import Clock, today, utcnow
from tiepdan_common.db import Database

from ..database import outbox
from . import deadlines
from .models import OverdueNotice, Petition
from .service import NOT_INFORMED, OPEN_STAGES

log = logging.getLogger(__name__)


def _not_noticed(stage):
    return ~exists().where(OverdueNotice.petition_id == Petition.id, OverdueNotice.stage == stage)


def scan(*, db_session: Session, day: dt.date, limit: int = 200) -> int:
    """Emit ``intake.petition.overdue`` for up to ``limit`` petitions newly past a deadline; returns how many.

    Rows are locked with SKIP LOCKED, so two workers never take the same petition,
    and the (petition, stage) primary key of the notice makes a second emission fail.
    """
    stage_late = and_(Petition.stage.in_(OPEN_STAGES), Petition.deadline < day, _not_noticed(Petition.stage))
    inform_late = and_(
        Petition.status.not_in(NOT_INFORMED),
        Petition.citizen_informed_on.is_(None),
        Petition.inform_deadline < day,
        _not_noticed("inform_citizen"),
    )
    rows = list(
        db_session.scalars(
            select(Petition)
            .where(or_(stage_late, inform_late))
            .order_by(Petition.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Petition)
        )
    )
    count = 0
    for petition in rows:
        notices = []
        if petition.stage in OPEN_STAGES and petition.deadline and petition.deadline < day:
            notices.append((petition.stage, petition.deadline))
        if (
            petition.status not in NOT_INFORMED
            and petition.citizen_informed_on is None
            and petition.inform_deadline
            and petition.inform_deadline < day
        ):
            notices.append(("inform_citizen", petition.inform_deadline))
        for stage, deadline in notices:
            if db_session.get(OverdueNotice, (petition.id, stage)) is not None:
                continue
            db_session.add(OverdueNotice(petition_id=petition.id, stage=stage, deadline=deadline))
            outbox.add(
                db_session,
                "intake.petition.overdue",
                {
                    "petition_id": petition.id,
                    "number": petition.number,
                    "deadline": deadline.isoformat(),
                    "days_overdue": -deadlines.days_left(deadline, day),
                    "receiving_unit": petition.receiving_unit,
                    "category": petition.category,
                    "field": petition.field_code,
                    "stage": stage,
                },
            )
            count += 1
    return count


def run_once(db: Database, *, clock: Clock = utcnow, day: dt.date | None = None) -> int:
    """One pass of the overdue check in its own transaction (a worker's periodic task)."""
    session = db.sessionmaker()
    try:
        count = scan(db_session=session, day=day or today(clock))
        session.commit()
    except IntegrityError:
        session.rollback()  # another worker reported the same petition first
        count = 0
    finally:
        session.close()
    if count:
        log.info("overdue petitions reported", extra={"count": count})
    return count
