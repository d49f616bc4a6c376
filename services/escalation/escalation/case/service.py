"""The case aggregate's own writes and reads: a case created, joined, acknowledged, moved on, changed, closed.

A leaf: it imports no other aggregate's service. What these writes set off elsewhere (the escalation started,
stopped or re-escalated, the hot spot linked, the police alerted) is done by the flows in ``case.flows``, which
call these in the order the locks and the timeline need. Over 300 lines because, like every package's
``service.py``, it holds all of its aggregate's own writes and reads (what follows them elsewhere is in the flows).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity
from tiepdan_common.models import utcnow

from ..database import outbox
from ..province.models import ProvinceRequest
from . import domain, timeline
from .models import Case, CaseSource, TimelineEntry
from .numbers import next_number, year_of


def find_open_for_matter(*, db_session: Session, matter_key: str) -> Case | None:
    """The open case about the same matter in the same unit, if any."""
    return db_session.scalars(
        select(Case)
        .where(Case.matter_key == matter_key, Case.status.in_(domain.OPEN_STATUSES))
        .order_by(Case.opened_at)
        .limit(1)
    ).first()


def open_for_matters(*, db_session: Session, matter_keys: set[str]) -> dict[str, Case]:
    """:func:`find_open_for_matter` for several matters at once: {matter key: its open case}."""
    found: dict[str, Case] = {}
    if matter_keys:
        for case in db_session.scalars(
            select(Case)
            .where(Case.matter_key.in_(sorted(matter_keys)), Case.status.in_(domain.OPEN_STATUSES))
            .order_by(Case.opened_at)
        ):
            found.setdefault(case.matter_key, case)
    return found


def sources_known(*, db_session: Session, source_type: str, source_ids: list[str]) -> set[str]:
    """Which of these sources opened or joined a case already."""
    return set(
        db_session.scalars(
            select(CaseSource.source_id).where(
                CaseSource.source_type == source_type, CaseSource.source_id.in_(source_ids)
            )
        )
    )


def create(
    *,
    db_session: Session,
    title: str,
    unit: str,
    field_code: str,
    category: str | None,
    matter_key: str,
    severity: str,
    level: str,
    owner_agency: str | None,
    group_size: int | None,
    source_type: str,
    source_id: str,
    actor: str,
    public_order: bool,
    complex: bool,
    now: dt.datetime,
    public_title: str | None = None,
    number: str | None = None,
) -> Case:
    """A new case with where it came from and its ``opened`` entry, ``escalation.case.opened`` staged; not flushed.

    ``number``: one the caller took already (:class:`numbers.Numbers`), else the year's next.
    """
    case = Case(
        id=str(uuid.uuid4()),
        timeline=[],  # a new case: no timeline to load, an id without a flush
        number=number or next_number(db_session=db_session, year=year_of(now)),
        title=title,
        public_title=public_title or title,
        unit=unit,
        field_code=field_code,
        category=category,
        matter_key=matter_key,
        severity=severity,
        level=level,
        owner_agency=owner_agency,
        group_size=group_size,
        public_order=public_order,
        opened_at=now,
        status="opened",
        complex=complex,
        participants=[{"type": "agency", "value": owner_agency, "role": "owner"}] if owner_agency else [],
    )
    db_session.add(case)
    db_session.add(CaseSource(case_id=case.id, source_type=source_type, source_id=source_id))
    case.timeline.append(
        TimelineEntry(at=now, actor=actor, kind="opened", detail={"source": {"type": source_type, "id": source_id}})
    )
    outbox.add(
        db_session,
        "escalation.case.opened",
        {
            "case_id": case.id,
            "number": case.number,
            "title": case.public_title,
            "unit": case.unit,
            "field": case.field_code,
            "category": case.category,
            "severity": case.severity,
            "level": case.level,
            "group_size": case.group_size,
            "public_order": case.public_order,
            "opened_at": case.opened_at.isoformat(),
            "source": {"type": source_type, "id": source_id},
        },
    )
    return case


def attach(
    *,
    db_session: Session,
    case: Case,
    source_type: str,
    source_id: str,
    group_size: int | None = None,
    over_level: bool = False,
    severity: str | None = None,
    public_order: bool = False,
) -> bool:
    """A related event joins an open case: its source is recorded and the case takes the larger group, the
    higher severity, the complex and public-order flags. Whether this set the public-order flag.

    The ``joined`` entry comes after what the flag sets off (:func:`note_joined`).
    """
    db_session.add(CaseSource(case_id=case.id, source_type=source_type, source_id=source_id))
    db_session.flush()
    sources = db_session.scalar(select(func.count()).select_from(CaseSource).where(CaseSource.case_id == case.id))
    if not case.complex and domain.is_complex(sources=sources, over_level=over_level):
        case.complex = True
    if group_size and (case.group_size or 0) < group_size:
        case.group_size = group_size
        severity = max(severity or case.severity, domain.severity_for_group(group_size), key=_rank)
    if severity and _rank(severity) > _rank(case.severity):
        case.severity = severity
    if public_order and not case.public_order:
        case.public_order = True
        return True
    return False


def note_joined(
    *,
    db_session: Session,
    case: Case,
    source_type: str,
    source_id: str,
    actor: str,
    group_size: int | None,
    now: dt.datetime,
) -> None:
    """The ``joined`` entry of an event :func:`attach` joined to the case."""
    timeline.append(
        db_session,
        case,
        at=now,
        actor=actor,
        kind="joined",
        detail={"source": {"type": source_type, "id": source_id}, "group_size": group_size},
    )


def _rank(severity: str) -> int:
    return ("low", "medium", "high", "critical").index(severity)


def visible_to(identity: Identity, case: Case) -> bool:
    """A commune sees only the cases of its own commune."""
    return not identity.is_commune or case.unit == identity.unit


def _province_cases(identity: Identity):
    """The cases of the requests a province caller filed (it sees no other)."""
    return select(ProvinceRequest.case_id).where(ProvinceRequest.requested_by == identity.subject)


def get(*, db_session: Session, identity: Identity, case_id: str, lock: bool = False) -> Case:
    """A case the caller may see; ``lock``: read afresh under a row lock, for a write racing the timer.

    The lock is ``FOR NO KEY UPDATE``: the timer's timeline inserts (a foreign key share lock on the
    case) are not blocked by it, so a write and the timer never wait on each other in a circle.
    """
    if lock:
        case = db_session.scalar(
            select(Case)
            .where(Case.id == case_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    else:
        case = db_session.get(Case, case_id)
    if case is None or not visible_to(identity, case):
        raise Problem(404, "No such case.")
    if identity.kind == "province" and case.id not in set(db_session.scalars(_province_cases(identity))):
        raise Problem(404, "No such case.")
    return case


def list_cases(
    *,
    db_session: Session,
    identity: Identity,
    status: str | None,
    unit: str | None,
    limit: int,
    source_type: str | None = None,
    source_id: str | None = None,
) -> list[Case]:
    """Cases newest first; by status, unit, or what opened or joined them (a visit's case)."""
    stmt = select(Case).order_by(Case.opened_at.desc()).limit(limit)
    if identity.is_commune:
        stmt = stmt.where(Case.unit == identity.unit)
    elif identity.kind == "province":
        stmt = stmt.where(Case.id.in_(_province_cases(identity)))
    if status == "open":
        stmt = stmt.where(Case.status.in_(domain.OPEN_STATUSES))
    elif status:
        stmt = stmt.where(Case.status == status)
    if unit:
        stmt = stmt.where(Case.unit == unit)
    if source_type or source_id:
        sources = select(CaseSource.case_id)
        if source_type:
            sources = sources.where(CaseSource.source_type == source_type)
        if source_id:
            sources = sources.where(CaseSource.source_id == source_id)
        stmt = stmt.where(Case.id.in_(sources))
    return list(db_session.scalars(stmt))


def check_opener(identity: Identity, unit: str) -> None:
    """A commune opens cases by hand only for itself."""
    if identity.is_commune and unit != identity.unit:
        raise Problem(
            422,
            "unit: a commune opens cases only for itself",
            errors=[{"field": "unit", "message": "a commune opens cases only for itself"}],
        )


def acknowledge(
    *,
    db_session: Session,
    case: Case,
    by: str,
    via: str,
    now: dt.datetime,
    stopped: bool,
    message_id: str | None = None,
) -> bool:
    """Note an acknowledgement; announce the first one, or one that ``stopped`` a running escalation.

    Whether it was announced; a closed case takes none.
    """
    if case.status == "closed":
        return False
    first = case.status == "opened"
    if first:
        case.status = "acknowledged"
    case.timeline.append(
        TimelineEntry(
            at=now,
            actor=by,
            kind="acknowledged",
            detail={"via": via, "message_id": message_id, "stopped_escalation": stopped},
        )
    )
    if first or stopped:
        outbox.add(
            db_session,
            "escalation.case.acknowledged",
            {
                "case_id": case.id,
                "number": case.number,
                "acknowledged_by": by,
                "via": via,
                "acknowledged_at": now.isoformat(),
            },
        )
    return first or stopped


def progress(*, case: Case, status: str, note: str | None, actor: str, now: dt.datetime) -> Case:
    """Move the case on (in progress, citizens returned, resolved), on its timeline; 409 for a move not allowed."""
    if not domain.can_progress(case.status, status):
        raise Problem(
            409,
            f"status: a case cannot go from {case.status} to {status}",
            code="invalid_transition",
            errors=[{"field": "status", "message": f"not allowed from {case.status}"}],
        )
    previous, case.status = case.status, status
    detail = {"from": previous, "to": status, "note": note}
    case.timeline.append(TimelineEntry(at=now, actor=actor, kind="progress", detail=detail))
    return case


def close(*, db_session: Session, case: Case, reason: str, outcome: str | None, actor: str, now: dt.datetime) -> Case:
    """Close a case with a reason code, the ``closed`` entry last on its timeline; ``escalation.case.closed``."""
    if case.status == "closed":
        raise Problem(409, "The case is already closed.", code="already_closed")
    previous = case.status
    case.status, case.closed_at, case.close_reason, case.outcome = "closed", now, reason, outcome
    case.timeline.append(
        TimelineEntry(
            at=now, actor=actor, kind="closed", detail={"from": previous, "reason": reason, "outcome": outcome}
        )
    )
    # The event carries the reason's code and label: the officer's own words may name citizens.
    outbox.add(
        db_session,
        "escalation.case.closed",
        {
            "case_id": case.id,
            "number": case.number,
            "unit": case.unit,
            "reason": reason,
            "outcome": domain.CLOSE_REASONS.get(reason),
            "closed_at": now.isoformat(),
        },
    )
    return case


def change(
    *,
    case: Case,
    public_order: bool | None = None,
    complex: bool | None = None,
    severity: str | None = None,
    owner_agency: str | None = None,
    participants: list | None = None,
    group_size: int | None = None,
) -> dict:
    """Set a case's flags, severity, size or owner, add participants; what changed, by name ({from, to} or added).

    The ``updated`` entry comes after what the change sets off (the police alerted): the caller notes it.
    """
    if case.status == "closed":
        raise Problem(409, "The case is closed.", code="already_closed")
    changed: dict = {}
    for name, value in (
        ("complex", complex),
        ("severity", severity),
        ("owner_agency", owner_agency),
        ("group_size", group_size),
    ):
        if value is not None and getattr(case, name) != value:
            changed[name] = {"from": getattr(case, name), "to": value}
            setattr(case, name, value)
    if participants is not None:
        known = {(p.get("type"), p.get("value")) for p in case.participants or []}
        added = [p for p in participants if (p["type"], p["value"]) not in known]
        if added:
            case.participants = [*(case.participants or []), *added]
            changed["participants"] = {"added": added}
    if public_order is not None and public_order != case.public_order:
        changed["public_order"] = {"from": case.public_order, "to": public_order}
        case.public_order = public_order
    return changed


def flag_public_order(*, case: Case, actor: str, reason: str, now: dt.datetime) -> bool:
    """Flag the case for public order (a police incident about it), on its timeline; False: flagged already."""
    if case.public_order:
        return False
    case.public_order = True
    case.timeline.append(
        TimelineEntry(
            at=now, actor=actor, kind="updated", detail={"public_order": {"from": False, "to": True}, "why": reason}
        )
    )
    return True


def note(
    *, db_session: Session, case: Case, actor: str, kind: str, detail: dict, now: dt.datetime | None = None
) -> None:
    """Append an entry to the case's timeline."""
    case.timeline.append(TimelineEntry(at=now or utcnow(), actor=actor, kind=kind, detail=detail))
