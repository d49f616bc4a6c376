"""A matter (vụ việc): its origin, field and subject; the petitions and visits about it, with their history.

Visits carry the same key (``intake.visit.domain.matter_key``), so the two meet here; the visit
package is only read. A denunciation appears in a matter only to its handlers: listing it beside the
complaints of the same matter would point at its sender.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from ..visit.models import Visit
from . import access, service
from .models import Petition, PetitionStep


def lookup(*, db_session: Session, identity: Identity, matter_key: str, limit: int = 500) -> dict:
    """The matter's petitions (each with its senders' count and round), visits and steps, oldest first."""
    stmt = service._visible(select(Petition), identity).where(Petition.matter_key == matter_key)
    stmt = stmt.where(or_(Petition.category != "denunciation", Petition.id.in_(access.handled_by_caller(identity))))
    petitions = list(db_session.scalars(stmt.order_by(Petition.received_at, Petition.id).limit(limit)))
    visits_stmt = select(Visit).where(Visit.matter_key == matter_key, Visit.category != "denunciation")
    if identity.is_commune:
        visits_stmt = visits_stmt.where(Visit.receiving_unit == identity.unit)
    if not identity.has("visits:read"):
        visits_stmt = visits_stmt.where(Visit.id.is_(None))
    visits = list(db_session.scalars(visits_stmt.order_by(Visit.received_at, Visit.id).limit(limit)))
    if not petitions and not visits:
        raise Problem(404, "No such matter.", code="not_found")
    ids = [p.id for p in petitions]
    history = (
        list(
            db_session.scalars(
                select(PetitionStep)
                .where(PetitionStep.petition_id.in_(ids))
                .order_by(PetitionStep.taken_on, PetitionStep.id)
            )
        )
        if ids
        else []
    )
    numbers = {p.id: p.number for p in petitions}
    return {
        "matter_key": matter_key,
        "petitions": [
            {
                "id": p.id,
                "number": p.number,
                "category": p.category,
                "status": p.status,
                "complaint_round": p.complaint_round,
                "received_at": p.received_at,
                "sender_count": p.sender_count,
                "repeat_of": p.repeat_of,
                "receiving_unit": p.receiving_unit,
            }
            for p in petitions
        ],
        "visits": [
            {
                "id": v.id,
                "serial": v.serial,
                "received_at": v.received_at,
                "category": v.category,
                "outcome": v.outcome,
                "group_size": v.group_size,
                "receiving_unit": v.receiving_unit,
            }
            for v in visits
        ],
        "history": [
            {
                "petition_id": s.petition_id,
                "number": numbers[s.petition_id],
                "step": s.step,
                "to_status": s.to_status,
                "taken_on": s.taken_on,
                "recorded_by": s.recorded_by,
            }
            for s in history
        ],
    }
