"""The overdue-task reminder: a task past its due time and not done is told to its owner once.

Each task is claimed by a conditional UPDATE (``reminded_at`` still empty), so two workers never remind twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from tiepdan_common.clock import Clock, utcnow
from tiepdan_common.db import Database

from ..case.models import Case
from ..clock import iso
from ..database import outbox
from .models import CaseTask

log = logging.getLogger(__name__)


def remind_due(*, db: Database, now: dt.datetime, limit: int = 100) -> int:
    """Remind the owners of open tasks due by ``now`` that were not reminded yet; how many were reminded."""
    with db.sessionmaker() as session:
        try:
            due = session.scalars(
                select(CaseTask.id)
                .where(CaseTask.status == "open", CaseTask.due_at <= now, CaseTask.reminded_at.is_(None))
                .order_by(CaseTask.due_at)
                .limit(limit)
            ).all()
            reminded = 0
            for task_id in due:
                claimed = session.execute(
                    update(CaseTask)
                    .where(CaseTask.id == task_id, CaseTask.reminded_at.is_(None), CaseTask.status == "open")
                    .values(reminded_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if claimed == 1:
                    task = session.get(CaseTask, task_id)
                    case = session.get(Case, task.case_id)
                    # The task's title is an officer's text: the event names the case, not the task.
                    outbox.add(
                        session,
                        "escalation.task.overdue",
                        {
                            "task_id": task.id,
                            "case_id": case.id,
                            "case_number": case.number,
                            "case_title": case.public_title or case.number,
                            "owner": task.owner,
                            "due_at": iso(task.due_at),
                            "reminded_at": iso(now),
                        },
                    )
                    reminded += 1
            session.commit()
        except OperationalError as exc:  # SQLite: another worker holds the write lock
            session.rollback()
            log.info("task reminder lost a race, retrying next tick: %s", type(exc).__name__)
            return 0
    return reminded


class TaskReminder:
    """A worker component: every ``interval`` seconds, remind the owners of overdue tasks."""

    name = "task-reminder"

    def __init__(self, db: Database, *, clock: Clock = utcnow, interval: float = 60.0) -> None:
        self.db, self.clock, self.interval = db, clock, interval

    def run(self, stop) -> None:
        while not stop.is_set():
            try:
                remind_due(db=self.db, now=self.clock())
            except Exception:
                log.exception("task reminder failed")
            stop.wait(self.interval)
