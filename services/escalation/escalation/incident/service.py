"""Police incidents: reading them, who may change one, closing one and announcing changes (``flows`` records
and updates them, across cases and hot spots)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from ..case import timeline
from ..case.models import Case
from ..clock import iso
from ..database import outbox
from .models import Incident


def list_incidents(*, db_session: Session, unit: str | None, limit: int, status: str | None = None) -> list[Incident]:
    stmt = select(Incident).order_by(Incident.occurred_at.desc()).limit(limit)
    if unit:
        stmt = stmt.where(Incident.unit == unit)
    if status:
        stmt = stmt.where(Incident.status == status)
    return list(db_session.scalars(stmt))


def get(*, db_session: Session, incident_id: str) -> Incident:
    incident = db_session.get(Incident, incident_id)
    if incident is None:
        raise Problem(404, "No such incident.")
    return incident


def own(identity: Identity, incident: Incident) -> None:
    """Only the police client that reported an incident changes it (an admin may too)."""
    if identity.kind != "admin" and incident.reported_by != identity.subject:
        raise Problem(403, "Only the police unit that reported the incident may change it.", code="forbidden")
    if incident.status == "closed":
        raise Problem(409, "The incident is closed.", code="already_closed")


def announce(
    db_session: Session, incident: Incident, *, change: str, changed: list[str], actor: str, now: dt.datetime
) -> None:
    outbox.add(
        db_session,
        "escalation.incident.updated",
        {
            "incident_id": incident.id,
            "unit": incident.unit,
            "change": change,
            "changed": changed,
            "status": incident.status,
            "crowd_estimate": incident.crowd_estimate,
            "public_order": incident.public_order,
            "case_id": incident.case_id,
            "updated_by": actor,
            "updated_at": iso(now),
            "closed_at": iso(incident.closed_at),
        },
    )


def close(*, db_session: Session, identity: Identity, incident: Incident, outcome: str, now: dt.datetime) -> Incident:
    """The reporting police close their incident with what came of it."""
    own(identity, incident)
    incident.status, incident.closed_at, incident.outcome, incident.updated_at = "closed", now, outcome, now
    if incident.case_id:
        case = db_session.get(Case, incident.case_id)
        timeline.note(
            db_session=db_session,
            case=case,
            actor=identity.subject,
            kind="incident_closed",
            now=now,
            detail={"incident_id": incident.id},
        )
    announce(db_session, incident, change="closed", changed=["status"], actor=identity.subject, now=now)
    return incident
