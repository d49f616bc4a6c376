"""Opening, joining and reading cases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity
from tiepdan_common.models import utcnow

from ..database import outbox
from . import domain
from .models import Case, CaseCounter, CaseSource, TimelineEntry


def next_number(*, db_session: Session, year: int) -> str:
    """The next case number of the year, e.g. ``VV-2026-0007``."""
    counter = CaseCounter.__table__
    for _ in range(3):
        number = db_session.execute(
            update(counter).where(counter.c.year == year).values(last=counter.c.last + 1).returning(counter.c.last)
        ).scalar()
        if number is not None:
            return f"VV-{year}-{number:04d}"
        try:
            with db_session.begin_nested():
                db_session.add(CaseCounter(year=year, last=0))
        except IntegrityError:
            pass
    raise RuntimeError("could not allocate a case number")


def find_open_for_matter(*, db_session: Session, matter_key: str) -> Case | None:
    """The open case about the same matter in the same unit, if any."""
    return db_session.scalars(
        select(Case).where(Case.matter_key == matter_key, Case.status.in_(domain.OPEN_STATUSES))
        .order_by(Case.opened_at).limit(1)
    ).first()


def source_known(*, db_session: Session, source_type: str, source_id: str) -> bool:
    return db_session.scalar(
        select(CaseSource.id).where(CaseSource.source_type == source_type, CaseSource.source_id == source_id)
    ) is not None


def open_case(*, db_session: Session, title: str, unit: str, field_code: str, category: str | None,
              matter_key: str, severity: str, level: str, owner_agency: str | None, group_size: int | None,
              source_type: str, source_id: str, actor: str, public_order: bool = False) -> Case:
    """Open a case, record where it came from, and stage ``escalation.case.opened``."""
    now = utcnow()
    case = Case(
        number=next_number(db_session=db_session, year=now.year), title=title, unit=unit, field_code=field_code,
        category=category, matter_key=matter_key, severity=severity, level=level, owner_agency=owner_agency,
        group_size=group_size, public_order=public_order, opened_at=now, status="opened",
    )
    db_session.add(case)
    db_session.flush()
    db_session.add(CaseSource(case_id=case.id, source_type=source_type, source_id=source_id))
    case.timeline.append(TimelineEntry(at=now, actor=actor, kind="opened",
                                       detail={"source": {"type": source_type, "id": source_id}}))
    outbox.add(db_session, "escalation.case.opened", {
        "case_id": case.id, "number": case.number, "title": case.title, "unit": case.unit,
        "field": case.field_code, "category": case.category, "severity": case.severity, "level": case.level,
        "group_size": case.group_size, "public_order": case.public_order,
        "opened_at": case.opened_at.isoformat(), "source": {"type": source_type, "id": source_id},
    })
    return case


def join_case(*, db_session: Session, case: Case, source_type: str, source_id: str, actor: str,
              group_size: int | None = None) -> None:
    """Attach a related event to an open case instead of opening another."""
    db_session.add(CaseSource(case_id=case.id, source_type=source_type, source_id=source_id))
    if group_size and (case.group_size or 0) < group_size:
        case.group_size = group_size
        escalated = domain.severity_for_group(group_size)
        if _rank(escalated) > _rank(case.severity):
            case.severity = escalated
    case.timeline.append(TimelineEntry(actor=actor, kind="joined",
                                       detail={"source": {"type": source_type, "id": source_id},
                                               "group_size": group_size}))


def _rank(severity: str) -> int:
    return ("low", "medium", "high", "critical").index(severity)


def visible_to(identity: Identity, case: Case) -> bool:
    """A commune sees only the cases of its own commune."""
    return not identity.is_commune or case.unit == identity.unit


def get(*, db_session: Session, identity: Identity, case_id: str) -> Case:
    case = db_session.get(Case, case_id)
    if case is None or not visible_to(identity, case):
        raise Problem(404, "No such case.")
    return case


def list_cases(*, db_session: Session, identity: Identity, status: str | None, unit: str | None,
               limit: int) -> list[Case]:
    stmt = select(Case).order_by(Case.opened_at.desc()).limit(limit)
    if identity.is_commune:
        stmt = stmt.where(Case.unit == identity.unit)
    if status == "open":
        stmt = stmt.where(Case.status.in_(domain.OPEN_STATUSES))
    elif status:
        stmt = stmt.where(Case.status == status)
    if unit:
        stmt = stmt.where(Case.unit == unit)
    return list(db_session.scalars(stmt))


def opened_since(*, db_session: Session, since: dt.datetime) -> int:
    from sqlalchemy import func

    return db_session.scalar(select(func.count()).select_from(Case).where(Case.opened_at >= since))
