"""Creating, listing and finishing the tasks of a case; the owner hears of a task through its event."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem

from ..case import timeline
from ..case.models import Case
from ..clock import iso
from ..database import outbox
from ..province import domain as province_domain
from . import domain
from .models import CaseTask


def create(
    *,
    db_session: Session,
    case: Case,
    title: str,
    owner: str,
    due_at: dt.datetime,
    officers: dict[str, dict],
    actor: str,
    now: dt.datetime,
) -> CaseTask:
    """Add a task to an open case, owned by an active officer of the roster; ``escalation.task.assigned``."""
    if case.status == "closed":
        raise Problem(409, "The case is closed.", code="already_closed")
    errors = [
        {"field": field, "message": message}
        for field, message in (
            ("owner", province_domain.officer_problem(owner, officers)),
            ("due_at", domain.due_problem(due_at, now)),
        )
        if message
    ]
    if errors:
        raise Problem(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
    task = CaseTask(
        case_id=case.id, title=title, owner=owner, due_at=due_at, status="open", created_by=actor, created_at=now
    )
    db_session.add(task)
    db_session.flush()
    timeline.note(
        db_session=db_session,
        case=case,
        actor=actor,
        kind="task_created",
        now=now,
        detail={"task_id": task.id, "title": title, "owner": owner, "due_at": iso(due_at)},
    )
    # The title is an officer's words: the event names the case and the owner, not the task.
    outbox.add(
        db_session,
        "escalation.task.assigned",
        {
            "task_id": task.id,
            "case_id": case.id,
            "case_number": case.number,
            "case_title": case.public_title or case.number,
            "owner": owner,
            "due_at": iso(due_at),
            "assigned_by": actor,
            "assigned_at": iso(now),
        },
    )
    return task


def done(*, db_session: Session, case: Case, task_id: str, actor: str, now: dt.datetime) -> CaseTask:
    """Mark a task done (once)."""
    task = get(db_session=db_session, case=case, task_id=task_id)
    if task.status == "done":
        raise Problem(409, "The task is already done.", code="invalid_transition")
    task.status, task.done_at, task.done_by = "done", now, actor
    timeline.note(
        db_session=db_session,
        case=case,
        actor=actor,
        kind="task_done",
        now=now,
        detail={"task_id": task.id, "title": task.title},
    )
    return task


def get(*, db_session: Session, case: Case, task_id: str) -> CaseTask:
    """One task of the case (another case's answers 404)."""
    task = db_session.get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise Problem(404, "No such task.")
    return task


def for_case(*, db_session: Session, case: Case, status: str | None = None) -> list[CaseTask]:
    """The case's tasks by due time."""
    stmt = select(CaseTask).where(CaseTask.case_id == case.id).order_by(CaseTask.due_at, CaseTask.created_at)
    if status:
        stmt = stmt.where(CaseTask.status == status)
    return list(db_session.scalars(stmt))
