"""Announcing a case's change that matters: ``escalation.case.changed`` and its timeline entry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..clock import iso
from ..database import outbox
from . import timeline
from .models import Case


def announce(
    db_session: Session,
    case: Case,
    changes: list[dict],
    *,
    now: dt.datetime,
    re_escalated: bool,
    policy: str | None,
    actor: str = "system",
) -> None:
    """Stage ``escalation.case.changed`` (non-personal fields only) and note the change on the timeline."""
    outbox.add(
        db_session,
        "escalation.case.changed",
        {
            "case_id": case.id,
            "number": case.number,
            "title": case.public_title or case.number,
            "unit": case.unit,
            "field": case.field_code,
            "severity": case.severity,
            "public_order": bool(case.public_order),
            "group_size": case.group_size,
            "changes": changes,
            "re_escalated": re_escalated,
            "policy": policy,
            "changed_at": iso(now),
        },
    )
    timeline.append(
        db_session,
        case,
        at=now,
        actor=actor,
        kind="changed",
        detail={"changes": changes, "re_escalated": re_escalated, "policy": policy},
    )
