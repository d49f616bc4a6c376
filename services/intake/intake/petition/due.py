"""The overdue and due-soon list: every open deadline within N days, with the days left."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tiepdan_common.identity import Identity

from . import deadlines, service
from .models import Petition


def due(*, db_session: Session, identity: Identity, day: dt.date, within: int, limit: int = 500) -> list[dict]:
    """Deadlines (a stage's, and telling the citizen) passed or falling within ``within`` days of ``day``,
    soonest first; a voided, repeated, filed or paused petition has none running."""
    until = day + dt.timedelta(days=within)
    stage_due = and_(Petition.stage.in_(service.OPEN_STAGES), Petition.deadline <= until)
    inform_due = and_(
        Petition.status.not_in(service.NOT_INFORMED),
        Petition.citizen_informed_on.is_(None),
        Petition.anonymous.is_(False),
        Petition.inform_deadline <= until,
    )
    stmt = service._visible(select(Petition), identity).where(or_(stage_due, inform_due))
    items = []
    for p in db_session.scalars(stmt.order_by(Petition.deadline, Petition.id).limit(limit)):
        base = {
            "petition_id": p.id,
            "number": p.number,
            "category": p.category,
            "status": p.status,
            "receiving_unit": p.receiving_unit,
            "lower_unit": p.lower_unit,
            "field": p.field_code,
        }
        if p.stage in service.OPEN_STAGES and p.deadline and p.deadline <= until:
            items.append({**base, "stage": p.stage, "deadline": p.deadline})
        if (
            p.status not in service.NOT_INFORMED
            and p.citizen_informed_on is None
            and not p.anonymous
            and p.inform_deadline
            and p.inform_deadline <= until
        ):
            items.append({**base, "stage": "inform_citizen", "deadline": p.inform_deadline})
    for item in items:
        item["days_left"] = deadlines.days_left(item["deadline"], day)
        item["overdue"] = item["days_left"] < 0
    items.sort(key=lambda i: (i["deadline"], i["number"], i["stage"]))
    return items
