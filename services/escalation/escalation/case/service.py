"""Opening, joining and reading cases, and their writes racing the timer.

Long on purpose: every write of the case aggregate takes the same locks in the same order (case, then its
escalation), and keeping them in one module keeps that order visible; numbering and the timeline are apart.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity
from tiepdan_common.models import utcnow

from ..alert import service as alerts
from ..database import outbox
from ..hotspot import service as hotspots
from ..policy import service as policies
from ..province.models import ProvinceRequest
from . import changes, domain, timeline
from .models import Case, CaseSource, TimelineEntry
from .numbers import next_number


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


def source_known(*, db_session: Session, source_type: str, source_id: str) -> bool:
    return (
        db_session.scalar(
            select(CaseSource.id).where(CaseSource.source_type == source_type, CaseSource.source_id == source_id)
        )
        is not None
    )


def sources_known(*, db_session: Session, source_type: str, source_ids: list[str]) -> set[str]:
    """Which of these sources opened or joined a case already."""
    return set(
        db_session.scalars(
            select(CaseSource.source_id).where(
                CaseSource.source_type == source_type, CaseSource.source_id.in_(source_ids)
            )
        )
    )


def open_case(
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
    public_order: bool = False,
    complex: bool = False,
    now: dt.datetime | None = None,
    public_title: str | None = None,
    active_policies: list | None = None,
    link: Callable[[Case], None] | None = None,
    flush: bool = True,
    number: str | None = None,
) -> Case:
    """Open a case, record where it came from, stage ``escalation.case.opened`` and start its escalation.

    A caller opening many cases in one transaction may pass what it has read already: ``active_policies``
    (the active escalation policies in order, :func:`policies.active`) and ``link(case)``, which links the
    new case to the open hot spot of its place (:meth:`hotspots.Windows.link`); with ``flush=False`` the
    rows are written at the session's next flush; ``number`` is one it took already (:class:`Numbers`).

    With ``flush`` the case is written at once in a savepoint: if another opener committed an open case
    for the same matter first (the unique index on open matters), this one joins that case and returns it.
    """
    now = now or utcnow()
    args = {
        "db_session": db_session,
        "title": title,
        "unit": unit,
        "field_code": field_code,
        "category": category,
        "matter_key": matter_key,
        "severity": severity,
        "level": level,
        "owner_agency": owner_agency,
        "group_size": group_size,
        "source_type": source_type,
        "source_id": source_id,
        "actor": actor,
        "public_order": public_order,
        "complex": complex,
        "now": now,
        "public_title": public_title,
        "active_policies": active_policies,
        "link": link,
        "flush": flush,
        "number": number,
    }
    if flush:
        return _open_or_join(args)[0]
    return _open(**args)


def _open_or_join(args: dict) -> tuple[Case, bool]:
    """Open the case in a savepoint; if the matter's open case was committed first, join it: (case, opened)."""
    db_session = args["db_session"]
    try:
        with db_session.begin_nested():
            return _open(**args), True
    except IntegrityError:
        existing = find_open_for_matter(db_session=db_session, matter_key=args["matter_key"])
        if existing is None:
            raise
        join_case(
            db_session=db_session,
            case=existing,
            source_type=args["source_type"],
            source_id=args["source_id"],
            actor=args["actor"],
            group_size=args["group_size"],
            severity=args["severity"],
            public_order=args["public_order"],
            now=args["now"],
        )
        return existing, False


def _open(
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
    public_title: str | None,
    active_policies: list | None,
    link,
    flush: bool,
    number: str | None,
) -> Case:
    case = Case(
        id=str(uuid.uuid4()),
        timeline=[],  # a new case: no timeline to load, an id without a flush
        number=number or next_number(db_session=db_session, year=now.year),
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
    policies.start(db_session=db_session, case=case, now=now, active=active_policies)
    if link is not None:
        link(case)
    else:
        hotspots.link_case(db_session=db_session, case=case)
    if public_order:
        alerts.raise_alert(db_session=db_session, case=case, reason="public_order", now=now)
    if flush:
        db_session.flush()
    return case


def join_case(
    *,
    db_session: Session,
    case: Case,
    source_type: str,
    source_id: str,
    actor: str,
    group_size: int | None = None,
    over_level: bool = False,
    severity: str | None = None,
    public_order: bool = False,
    now: dt.datetime | None = None,
    active_policies: list | None = None,
) -> None:
    """Attach a related event to an open case instead of opening another; a change that matters is announced."""
    now = now or utcnow()
    before = changes.Before.of(case)
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
        alerts.raise_alert(db_session=db_session, case=case, reason="public_order", now=now)
    timeline.append(
        db_session,
        case,
        at=now,
        actor=actor,
        kind="joined",
        detail={"source": {"type": source_type, "id": source_id}, "group_size": group_size},
    )
    joined = (
        [{"kind": "visit_joined", "source": {"type": source_type, "id": source_id}}] if source_type == "visit" else []
    )
    changes.settle(db_session, case, before, now=now, also=joined, candidates=active_policies)


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


def open_manual(
    *,
    db_session: Session,
    identity: Identity,
    title: str,
    unit: str,
    field_code: str,
    category: str | None,
    severity: str,
    group_size: int | None,
    public_order: bool,
    complex: bool,
    owner_agency: str | None,
    level: str,
    reference_dir,
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Open a case by hand, or join the open case of the same matter: (the case, whether it was opened).

    Events and police see a generated title, never the officer's.
    """
    from .. import reference
    from ..unit import service as unit_copy

    if identity.is_commune and unit != identity.unit:
        raise Problem(
            422,
            "unit: a commune opens cases only for itself",
            errors=[{"field": "unit", "message": "a commune opens cases only for itself"}],
        )
    now = now or utcnow()
    field = reference.field(reference_dir, field_code)["name_vi"]
    place = unit_copy.directory(db_session).name(unit, local_date(now))
    public_title = f"Vụ việc {domain.field_phrase(field)}, {place}"
    matter_key = f"{unit}:{field_code}"
    source_id = str(uuid.uuid4())
    existing = find_open_for_matter(db_session=db_session, matter_key=matter_key)
    if existing is None:
        case, opened = _open_or_join(
            {
                "db_session": db_session,
                "title": title,
                "unit": unit,
                "field_code": field_code,
                "category": category,
                "matter_key": matter_key,
                "severity": severity,
                "level": level,
                "owner_agency": owner_agency,
                "group_size": group_size,
                "source_type": "manual",
                "source_id": source_id,
                "actor": identity.subject,
                "public_order": public_order,
                "complex": complex,
                "now": now,
                "public_title": public_title,
                "active_policies": None,
                "link": None,
                "flush": True,
                "number": None,
            }
        )
        if opened:
            return case, True
        existing = case
    else:
        join_case(
            db_session=db_session,
            case=existing,
            source_type="manual",
            source_id=source_id,
            actor=identity.subject,
            group_size=group_size,
            severity=severity,
            public_order=public_order,
            now=now,
        )
    note(
        db_session=db_session,
        case=existing,
        actor=identity.subject,
        kind="note",
        now=now,
        detail={"title": title, "why": "opened by hand while the matter had this case open"},
    )
    return existing, False


def acknowledge(
    *, db_session: Session, case: Case, by: str, via: str, now: dt.datetime | None = None, message_id: str | None = None
) -> bool:
    """Someone notified acknowledged: stop the escalation, note it, announce the first acknowledgement."""
    now = now or utcnow()
    if case.status == "closed":
        return False
    stopped = policies.acknowledge(db_session=db_session, case=case, by=by, now=now)
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


def progress(
    *, db_session: Session, case: Case, status: str, note: str | None, actor: str, now: dt.datetime | None = None
) -> Case:
    """Report progress (in progress, citizens returned, resolved): the steps stop, the next check-in is due."""
    now = now or utcnow()
    if not domain.can_progress(case.status, status):
        raise Problem(
            409,
            f"status: a case cannot go from {case.status} to {status}",
            code="invalid_transition",
            errors=[{"field": "status", "message": f"not allowed from {case.status}"}],
        )
    previous, case.status = case.status, status
    policies.follow(db_session=db_session, case=case, now=now)
    detail = {"from": previous, "to": status, "note": note}
    case.timeline.append(TimelineEntry(at=now, actor=actor, kind="progress", detail=detail))
    return case


def close(
    *, db_session: Session, case: Case, reason: str, outcome: str | None, actor: str, now: dt.datetime | None = None
) -> Case:
    """Close a case with a reason code; its escalation stops and ``escalation.case.closed`` is announced."""
    now = now or utcnow()
    if case.status == "closed":
        raise Problem(409, "The case is already closed.", code="already_closed")
    previous = case.status
    case.status, case.closed_at, case.close_reason, case.outcome = "closed", now, reason, outcome
    policies.settle(db_session=db_session, case=case, status="stopped", now=now)
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
    db_session: Session,
    case: Case,
    actor: str,
    now: dt.datetime | None = None,
    public_order: bool | None = None,
    complex: bool | None = None,
    severity: str | None = None,
    owner_agency: str | None = None,
    participants: list | None = None,
    group_size: int | None = None,
) -> Case:
    """Change a case's flags, severity, size, owner or participants; a change that matters re-escalates."""
    now = now or utcnow()
    if case.status == "closed":
        raise Problem(409, "The case is closed.", code="already_closed")
    before = changes.Before.of(case)
    changed = {}
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
        if public_order:
            alerts.raise_alert(db_session=db_session, case=case, reason="public_order", now=now)
    if changed:
        case.timeline.append(TimelineEntry(at=now, actor=actor, kind="updated", detail=changed))
        changes.settle(db_session, case, before, now=now, actor=actor)
    return case


def mark_public_order(*, db_session: Session, case: Case, actor: str, reason: str, now: dt.datetime) -> None:
    """A police incident about the case: flag it for public order (an alert goes to the police)."""
    if not case.public_order:
        before = changes.Before.of(case)
        case.public_order = True
        case.timeline.append(
            TimelineEntry(
                at=now, actor=actor, kind="updated", detail={"public_order": {"from": False, "to": True}, "why": reason}
            )
        )
        alerts.raise_alert(db_session=db_session, case=case, reason=reason, now=now)
        changes.settle(db_session, case, before, now=now, actor=actor)


def note(
    *, db_session: Session, case: Case, actor: str, kind: str, detail: dict, now: dt.datetime | None = None
) -> None:
    """Append an entry to the case's timeline."""
    case.timeline.append(TimelineEntry(at=now or utcnow(), actor=actor, kind=kind, detail=detail))
