"""The deadline alarm of province requests: a missed deadline is told once, to the assignees and the leader on call.

Any number of workers may run it. Each request is claimed by a conditional UPDATE (``deadline_alarmed_at``
still empty); on PostgreSQL a second worker's UPDATE waits for the first one's row lock and then finds the
column set, on SQLite it loses the write lock; either way it claims nothing and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from tiepdan_common.clock import Clock, utcnow
from tiepdan_common.db import Database

from ..case.models import Case
from ..case.timeline import append
from ..clock import iso
from ..database import outbox
from . import domain
from .models import ProvinceRequest
from .service import announce

log = logging.getLogger(__name__)


def raise_due(*, db: Database, now: dt.datetime, limit: int = 50) -> int:
    """Alarm every unfinished request whose deadline passed by ``now`` (up to ``limit``); how many were alarmed."""
    with db.sessionmaker() as session:
        try:
            due = session.scalars(
                select(ProvinceRequest.id)
                .where(
                    ProvinceRequest.status.in_(domain.UNFINISHED),
                    ProvinceRequest.deadline <= now,
                    ProvinceRequest.deadline_alarmed_at.is_(None),
                )
                .order_by(ProvinceRequest.deadline)
                .limit(limit)
            ).all()
            alarmed = 0
            for request_id in due:
                claimed = session.execute(
                    update(ProvinceRequest)
                    .where(
                        ProvinceRequest.id == request_id,
                        ProvinceRequest.deadline_alarmed_at.is_(None),
                        ProvinceRequest.status.in_(domain.UNFINISHED),
                    )
                    .values(deadline_alarmed_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if claimed == 1:
                    _alarm(session, session.get(ProvinceRequest, request_id), now)
                    alarmed += 1
            session.commit()
        except OperationalError as exc:  # SQLite: another worker holds the write lock; it sends them
            session.rollback()
            log.info("deadline alarm lost a race, retrying next tick: %s", type(exc).__name__)
            return 0
    return alarmed


def _alarm(session, request: ProvinceRequest, now: dt.datetime) -> None:
    session.refresh(request)
    targets = domain.alarm_targets(request.assignees, request.officers_sent)
    case = session.get(Case, request.case_id) if request.case_id else None
    outbox.add(
        session,
        "escalation.province_request.overdue",
        {
            "request_id": request.id,
            "reference": request.reference,
            "requested_by": request.requested_by,
            "case_id": request.case_id,
            "case_number": case.number if case else None,
            "title": case.public_title if case else None,
            "unit": request.unit,
            "group_size": request.group_size,
            "status": request.status,
            "deadline": iso(request.deadline),
            "targets": targets,
            "alarmed_at": iso(now),
        },
    )
    announce(session, request, change="deadline_passed", previous=request.status, now=now)
    if case is not None:
        append(
            session,
            case,
            actor="system",
            kind="province_deadline_passed",
            at=now,
            detail={"province_request_id": request.id, "deadline": iso(request.deadline), "targets": targets},
        )


class DeadlineAlarm:
    """A worker component: every ``interval`` seconds, alarm the requests whose deadline passed by ``clock()``."""

    name = "province-deadline-alarm"

    def __init__(self, db: Database, *, clock: Clock = utcnow, interval: float = 30.0) -> None:
        self.db, self.clock, self.interval = db, clock, interval

    def run(self, stop) -> None:
        while not stop.is_set():
            try:
                raise_due(db=self.db, now=self.clock())
            except Exception:
                log.exception("province deadline alarm failed")
            stop.wait(self.interval)
