"""Merging, linking and reopening cases across aggregates: a merge moves rows of other packages to the survivor
and closes the absorbed case (its escalation stopped); a reopened case is re-escalated by policy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem

from ...alert import service as alerts
from ...database import Base
from ...hotspot.models import HotspotCase
from ...policy import service as policies
from .. import domain, events, timeline
from .. import service as cases
from ..models import Case, CaseLink, CaseSource, TimelineEntry
from . import changes, handling

# Rows that stay with the absorbed case: its own history and escalation, and its links (re-made below).
_KEPT = {"case_timeline", "case_links", "hotspot_cases", "escalations", "alerts", "case_sources"}


def _referring_tables():
    """Every table that points at a case and follows it to the survivor (incidents, requests, dialogues, ...)."""
    for table in Base.metadata.sorted_tables:
        if table.name in _KEPT or "case_id" not in table.c:
            continue
        if any(fk.column.table.name == "cases" for fk in table.c.case_id.foreign_keys):
            yield table


def merge(*, db_session: Session, absorbed: Case, survivor: Case, actor: str, now: dt.datetime) -> Case:
    """Merge ``absorbed`` into ``survivor``: its sources, links and records move, its timeline is copied,
    and it is closed as ``merged``. The survivor takes the larger group, the higher severity and the flags."""
    if absorbed.id == survivor.id:
        raise Problem(
            422,
            "into: a case cannot be merged into itself",
            errors=[{"field": "into", "message": "must be another case"}],
        )
    for case, name in ((absorbed, "case"), (survivor, "into")):
        if case.status == "closed":
            raise Problem(409, f"{name}: the case {case.number} is closed", code="already_closed")
    before = changes.Before.of(survivor)
    db_session.execute(update(CaseSource).where(CaseSource.case_id == absorbed.id).values(case_id=survivor.id))
    for table in _referring_tables():
        db_session.execute(update(table).where(table.c.case_id == absorbed.id).values(case_id=survivor.id))
    for hotspot_id in db_session.scalars(select(HotspotCase.hotspot_id).where(HotspotCase.case_id == absorbed.id)):
        if db_session.get(HotspotCase, (hotspot_id, survivor.id)) is None:
            db_session.add(HotspotCase(hotspot_id=hotspot_id, case_id=survivor.id))
    for other in linked(db_session=db_session, case=absorbed):
        if other.id != survivor.id:
            link(db_session=db_session, case=survivor, other=other, actor=actor, now=now, quiet=True)
    for entry in list(absorbed.timeline):
        survivor.timeline.append(
            TimelineEntry(
                at=entry.at,
                actor=entry.actor,
                kind=entry.kind,
                detail={**(entry.detail or {}), "merged_from": absorbed.number},
            )
        )
    if (absorbed.group_size or 0) > (survivor.group_size or 0):
        survivor.group_size = absorbed.group_size
    if domain.rank(absorbed.severity) > domain.rank(survivor.severity):
        survivor.severity = absorbed.severity
    survivor.complex = survivor.complex or absorbed.complex
    known = {(p.get("type"), p.get("value")) for p in survivor.participants or []}
    extra = [p for p in absorbed.participants or [] if (p.get("type"), p.get("value")) not in known]
    if extra:
        survivor.participants = [*(survivor.participants or []), *extra]
    survivor.timeline.append(
        TimelineEntry(
            at=now, actor=actor, kind="merged", detail={"absorbed": {"id": absorbed.id, "number": absorbed.number}}
        )
    )
    absorbed.merged_into = survivor.id
    handling.close(db_session=db_session, case=absorbed, reason="merged", outcome=None, actor=actor, now=now)
    absorbed.timeline[-1].detail = {
        **absorbed.timeline[-1].detail,
        "into": {"id": survivor.id, "number": survivor.number},
    }
    if absorbed.public_order and not survivor.public_order:
        survivor.public_order = True
        alerts.raise_alert(db_session=db_session, case=survivor, reason="public_order", now=now)
    changes.settle(
        db_session,
        survivor,
        before,
        now=now,
        actor=actor,
        also=[{"kind": "merged", "source": {"type": "case", "id": absorbed.id}}],
    )
    return survivor


def linked(*, db_session: Session, case: Case) -> list[Case]:
    """The cases related to ``case``, either way round."""
    ids = db_session.execute(
        select(CaseLink.case_id, CaseLink.linked_case_id).where(
            or_(CaseLink.case_id == case.id, CaseLink.linked_case_id == case.id)
        )
    ).all()
    others = sorted({b if a == case.id else a for a, b in ids})
    return list(db_session.scalars(select(Case).where(Case.id.in_(others)).order_by(Case.opened_at))) if others else []


def link(*, db_session: Session, case: Case, other: Case, actor: str, now: dt.datetime, quiet: bool = False) -> None:
    """Relate two cases (stored once; a link that exists already is kept)."""
    if case.id == other.id:
        raise Problem(
            422,
            "case_id: a case cannot be linked to itself",
            errors=[{"field": "case_id", "message": "must be another case"}],
        )
    if other.id in {c.id for c in linked(db_session=db_session, case=case)}:
        return
    db_session.add(CaseLink(case_id=case.id, linked_case_id=other.id, kind="related", actor=actor, created_at=now))
    if not quiet:
        for one, two in ((case, other), (other, case)):
            timeline.append(
                db_session,
                one,
                at=now,
                actor=actor,
                kind="linked",
                detail={"case": {"id": two.id, "number": two.number}},
            )


def unlink(*, db_session: Session, case: Case, other: Case, actor: str, now: dt.datetime) -> None:
    found = db_session.scalars(
        select(CaseLink).where(
            or_(
                (CaseLink.case_id == case.id) & (CaseLink.linked_case_id == other.id),
                (CaseLink.case_id == other.id) & (CaseLink.linked_case_id == case.id),
            )
        )
    ).all()
    if not found:
        raise Problem(404, "These cases are not linked.")
    for row in found:
        db_session.delete(row)
    for one, two in ((case, other), (other, case)):
        timeline.append(
            db_session, one, at=now, actor=actor, kind="unlinked", detail={"case": {"id": two.id, "number": two.number}}
        )


def reopen(*, db_session: Session, case: Case, reason: str, actor: str, now: dt.datetime) -> Case:
    """Reopen a closed case with a reason: it is open again (needs acknowledging) and its escalation restarts.

    A merged case is not reopened (its survivor is); nor one whose matter has another case open.
    """
    if case.status != "closed":
        raise Problem(409, "The case is not closed.", code="not_closed")
    if case.merged_into:
        raise Problem(
            409,
            "The case was merged; reopen the case it was merged into.",
            code="merged",
            extra={"merged_into": case.merged_into},
        )
    previous = {"closed_reason": case.close_reason, "closed_at": case.closed_at.isoformat() if case.closed_at else None}
    try:
        with db_session.begin_nested():
            case.status, case.closed_at, case.close_reason, case.outcome = "opened", None, None, None
            db_session.flush()
    except IntegrityError:
        other = cases.find_open_for_matter(db_session=db_session, matter_key=case.matter_key)
        raise Problem(
            409,
            "The same matter has another case open; link or merge with it instead.",
            code="matter_has_open_case",
            extra={"open_case_id": other.id if other else None},
        ) from None
    timeline.append(db_session, case, at=now, actor=actor, kind="reopened", detail={"reason": reason, **previous})
    policy = policies.choose_policy(db_session=db_session, case=case, now=now)
    re_escalated = bool(
        policy is not None
        and policies.reescalate(db_session=db_session, case=case, policy=policy, kinds=["reopened"], now=now)
    )
    events.announce(
        db_session,
        case,
        [{"kind": "reopened", "from": "closed", "to": "opened"}],
        now=now,
        re_escalated=re_escalated,
        policy=policy.name if policy else None,
        actor=actor,
    )
    return case
