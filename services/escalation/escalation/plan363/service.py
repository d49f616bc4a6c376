"""The Plan 363 list (Kế hoạch 363/KH-TTCP, 2019): backlogged, complex, prolonged cases, what the plan tracks
for each (on the central list, a resolution plan agreed and when, the agreed deadline, the lead agency, how far
resolution has come) and every change to it.

Every change is published as ``escalation.plan363.updated`` (through the outbox, in the same transaction).
A change takes the entry under a row lock and may name the ``version`` it read: a change made since answers
409 instead of being overwritten. The first entry of a case is an insert guarded by the primary key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity

from ..case.models import Case, TimelineEntry
from ..clock import iso
from ..database import outbox
from ..report import labels
from .models import Plan363Change, Plan363Entry

FIELDS = (
    "source",
    "on_central_list",
    "review_result",
    "plan_agreed",
    "plan_agreed_on",
    "plan_summary",
    "agreed_deadline",
    "lead_agency",
    "progress",
    "note",
)
DEFAULTS = {"source": "local", "on_central_list": False, "plan_agreed": False, "progress": "not_started"}


def _value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _check(entry: Plan363Entry) -> None:
    if entry.plan_agreed and entry.plan_agreed_on is None:
        raise field_error("plan_agreed_on", "give the day the resolution plan was agreed")
    if not entry.plan_agreed and entry.plan_agreed_on is not None:
        raise field_error("plan_agreed", "a day of agreement needs plan_agreed true")
    if entry.source == "central" and not entry.on_central_list:
        raise field_error("on_central_list", "a case sent by the Government Inspectorate is on the central list")


def _locked(db_session: Session, case_id: str) -> Plan363Entry | None:
    return db_session.scalar(
        select(Plan363Entry)
        .where(Plan363Entry.case_id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def put(*, db_session: Session, identity: Identity, case: Case, data: dict, now: dt.datetime) -> Plan363Entry:
    """Add a case to the list or change its entry; every change is kept with who, when, before and after."""
    entry = _locked(db_session, case.id)
    if entry is None:
        try:
            with db_session.begin_nested():
                db_session.add(
                    Plan363Entry(
                        case_id=case.id, version=0, added_by=identity.subject, added_at=now, updated_at=now, **DEFAULTS
                    )
                )
        except IntegrityError:
            pass  # another request added it first: change that one
        entry = _locked(db_session, case.id)
    if data.get("version") is not None and data["version"] != entry.version:
        raise Problem(
            409,
            "The entry was changed since it was read.",
            code="conflict",
            errors=[{"field": "version", "message": f"the entry is at version {entry.version}"}],
        )
    changes = {}
    for name in FIELDS:
        if name in data and getattr(entry, name) != data[name]:
            changes[name] = [_value(getattr(entry, name)) if entry.version else None, _value(data[name])]
            setattr(entry, name, data[name])
    _check(entry)
    if not changes and entry.version:
        return entry
    entry.version += 1
    entry.updated_at = now
    db_session.add(
        Plan363Change(
            case_id=case.id,
            version=entry.version,
            at=now,
            actor=identity.subject,
            progress=entry.progress,
            changes=changes,
        )
    )
    db_session.add(
        TimelineEntry(
            case_id=case.id,
            at=now,
            actor=identity.subject,
            kind="plan363",
            detail={"progress": entry.progress, "fields": sorted(changes)},
        )
    )
    outbox.add(
        db_session,
        "escalation.plan363.updated",
        {
            "case_id": case.id,
            "case_number": case.number,
            "unit": case.unit,
            "version": entry.version,
            "source": entry.source,
            "on_central_list": entry.on_central_list,
            "plan_agreed": entry.plan_agreed,
            "agreed_deadline": entry.agreed_deadline.isoformat() if entry.agreed_deadline else None,
            "progress": entry.progress,
            "changed_fields": sorted(changes),
            "changed_at": iso(now),
        },
    )
    db_session.flush()
    return entry


def history(*, db_session: Session, case_id: str) -> list[Plan363Change]:
    return list(
        db_session.scalars(
            select(Plan363Change).where(Plan363Change.case_id == case_id).order_by(Plan363Change.version)
        )
    )


def history_of(*, db_session: Session, case_ids: list[str]) -> list[Plan363Change]:
    """The changes of several cases' entries, by case and version."""
    if not case_ids:
        return []
    return list(
        db_session.scalars(
            select(Plan363Change)
            .where(Plan363Change.case_id.in_(case_ids))
            .order_by(Plan363Change.case_id, Plan363Change.version)
        )
    )


def listing(*, db_session: Session, identity: Identity, query: dict, today: dt.date) -> list[tuple[Case, Plan363Entry]]:
    """The list's cases (a commune sees its own), oldest first, filtered by progress, central list, overdue."""
    stmt = select(Case, Plan363Entry).join(Plan363Entry, Plan363Entry.case_id == Case.id)
    if identity.is_commune:
        stmt = stmt.where(Case.unit == identity.unit)
    if query.get("progress"):
        stmt = stmt.where(Plan363Entry.progress == query["progress"])
    if query.get("on_central_list") is not None:
        stmt = stmt.where(Plan363Entry.on_central_list.is_(query["on_central_list"]))
    if query.get("overdue") is not None:
        late = (Plan363Entry.agreed_deadline < today) & Plan363Entry.progress.in_(("not_started", "in_progress"))
        stmt = stmt.where(late if query["overdue"] else ~late)
    return [(row[0], row[1]) for row in db_session.execute(stmt.order_by(Case.opened_at, Case.number))]


def present(case: Case, entry: Plan363Entry, *, today: dt.date) -> dict:
    """An entry as the API answers it: codes with their Vietnamese words, the case's number, never a UUID."""
    overdue = (
        entry.agreed_deadline is not None
        and entry.agreed_deadline < today
        and entry.progress in ("not_started", "in_progress")
    )
    return {
        "case_id": case.id,
        "number": case.number,
        "title": case.title,
        "unit": case.unit,
        "field": case.field_code,
        "category": case.category,
        "category_name": labels.label(labels.CATEGORY, case.category),
        "status": case.status,
        "status_name": labels.label(labels.STATUS, case.status),
        "source": entry.source,
        "source_name": labels.label(labels.PLAN363_SOURCE, entry.source),
        "on_central_list": entry.on_central_list,
        "review_result": entry.review_result,
        "plan_agreed": entry.plan_agreed,
        "plan_agreed_on": entry.plan_agreed_on,
        "plan_summary": entry.plan_summary,
        "agreed_deadline": entry.agreed_deadline,
        "lead_agency": entry.lead_agency,
        "progress": entry.progress,
        "progress_name": labels.label(labels.PLAN363_PROGRESS, entry.progress),
        "overdue": overdue,
        "note": entry.note,
        "version": entry.version,
        "added_at": entry.added_at,
        "updated_at": entry.updated_at,
    }
