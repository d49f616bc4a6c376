"""What a visit corrected or voided at intake's desk (``intake.visit.corrected``) does to its case, across
aggregates: a case closed stops its escalation, a change that matters is re-escalated by policy.

A voided visit leaves its case: its source row goes, a ``visit_voided`` entry names the reason (a code
and its Vietnamese label: the clerk's own words stay in intake), the group follows the visits left, and
a case that visit alone opened and nobody acknowledged is closed as ``opened_in_error``. A corrected
group size is followed when the case's group came from that visit (``visit_corrected`` entry). Each
is idempotent: a voided visit has no source left to withdraw, a correction's version is noted once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...hotspot.models import VisitRecord
from .. import domain, timeline
from ..models import Case, CaseSource
from . import changes, handling

VOIDED = "visit_voided"
VOIDED_LABEL = "Lượt tiếp công dân đã bị hủy vì ghi nhầm"


def _source_case(db_session: Session, visit_id: str) -> tuple[CaseSource | None, Case | None]:
    """The visit's case source and its case, the case row-locked as an officer's write locks it."""
    source = db_session.scalar(
        select(CaseSource).where(CaseSource.source_type == "visit", CaseSource.source_id == visit_id)
    )
    if source is None:
        return None, None
    case = db_session.scalar(
        select(Case)
        .where(Case.id == source.case_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return source, case


def _other_visits_group(db_session: Session, case: Case, visit_id: str) -> int | None:
    """The largest group among the case's other visits still recorded (None: no other visit)."""
    others = select(CaseSource.source_id).where(
        CaseSource.case_id == case.id, CaseSource.source_type == "visit", CaseSource.source_id != visit_id
    )
    return db_session.scalar(select(func.max(VisitRecord.group_size)).where(VisitRecord.visit_id.in_(others)))


def visit_voided(*, db_session: Session, visit: dict, group_size: int | None, now: dt.datetime) -> Case | None:
    """The voided visit leaves its case (``group_size``: the visit's as recorded, if known)."""
    source, case = _source_case(db_session, visit["visit_id"])
    if source is None or case is None:
        return None
    detail = {
        "source": {"type": "visit", "id": visit["visit_id"]},
        "serial": visit["serial"],
        "version": visit["version"],
        "reason": VOIDED,
        "reason_label": VOIDED_LABEL,
    }
    others = _other_visits_group(db_session, case, visit["visit_id"])
    db_session.delete(source)
    db_session.flush()
    if (
        case.status != "closed"
        and group_size is not None
        and case.group_size == group_size
        and others is not None
        and others < group_size
    ):
        detail["group_size"] = {"from": case.group_size, "to": others}
        case.group_size = others
    timeline.append(db_session, case, at=now, actor="system", kind="visit_voided", detail=detail)
    left = db_session.scalar(select(func.count()).select_from(CaseSource).where(CaseSource.case_id == case.id))
    if case.status == "opened" and not left:  # opened by that visit alone, not acknowledged
        handling.close(
            db_session=db_session, case=case, reason="opened_in_error", outcome=None, actor="system", now=now
        )
    return case


def visit_corrected(
    *, db_session: Session, visit: dict, group_size: tuple[int, int] | None, now: dt.datetime
) -> Case | None:
    """Note a correction on the visit's case; the group follows a corrected size when it came from that visit.

    ``group_size``: (before, after) when the correction changed the visit's group.
    """
    source, case = _source_case(db_session, visit["visit_id"])
    if source is None or case is None:
        return None
    if any(
        entry.kind == "visit_corrected"
        and (entry.detail or {}).get("source", {}).get("id") == visit["visit_id"]
        and entry.detail.get("version") == visit["version"]
        for entry in case.timeline
    ):
        return case  # told already
    detail = {
        "source": {"type": "visit", "id": visit["visit_id"]},
        "serial": visit["serial"],
        "version": visit["version"],
        "changed_fields": list(visit["changed_fields"]),
    }
    before = changes.Before.of(case)
    if (
        case.status != "closed"
        and group_size is not None
        and group_size[0] != group_size[1]
        and case.group_size == group_size[0]
    ):
        size = max(group_size[1], _other_visits_group(db_session, case, visit["visit_id"]) or 0)
        if size != case.group_size:
            detail["group_size"] = {"from": case.group_size, "to": size}
            case.group_size = size
            if domain.rank(domain.severity_for_group(size)) > domain.rank(case.severity):
                case.severity = domain.severity_for_group(size)
    timeline.append(db_session, case, at=now, actor="system", kind="visit_corrected", detail=detail)
    changes.settle(db_session, case, before, now=now)
    return case
