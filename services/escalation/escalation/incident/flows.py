"""A police incident across aggregates: recorded, it joins or opens a case, flags public order on it and feeds
the hot spots; updated, its case follows. The incident, case and hot-spot services stay leaves of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from .. import reference
from ..case import domain as case_domain
from ..case import service as cases
from ..case import timeline
from ..case.flows import handling, opening
from ..case.models import Case
from ..clock import iso
from ..database import outbox
from ..hotspot import flows as hotspot_flows
from ..unit import service as units
from . import service
from .models import Incident


def report(
    *,
    db_session: Session,
    identity: Identity,
    unit: str,
    place: str,
    occurred_at: dt.datetime,
    crowd_estimate: int,
    summary: str,
    public_order: bool,
    case_id: str | None,
    field_code: str | None,
    mass_case_size: int,
    reference_dir: Path,
    now: dt.datetime,
) -> Incident:
    """Record an incident, link or open its case, alert, and announce ``escalation.incident.reported``."""
    case = None
    if case_id is not None:
        case = db_session.get(Case, case_id)
        if case is None:
            raise Problem(422, "case_id: no such case", errors=[{"field": "case_id", "message": "no such case"}])
        field_code = field_code or case.field_code
    incident = Incident(
        unit=unit,
        field_code=field_code,
        place=place,
        occurred_at=occurred_at,
        crowd_estimate=crowd_estimate,
        summary=summary,
        public_order=public_order,
        case_id=case_id,
        reported_by=identity.subject,
        reporter_unit=identity.unit,
        reported_at=now,
        status="open",
    )
    db_session.add(incident)
    db_session.flush()
    if case is None and crowd_estimate >= mass_case_size:
        case = _case_for(db_session=db_session, incident=incident, reference_dir=reference_dir, now=now)
        incident.case_id = case.id
    if case is not None:
        timeline.note(
            db_session=db_session,
            case=case,
            actor=identity.subject,
            kind="incident",
            now=now,
            detail={"incident_id": incident.id, "crowd_estimate": crowd_estimate, "place": place},
        )
        if public_order:
            handling.mark_public_order(
                db_session=db_session, case=case, actor=identity.subject, reason="incident", now=now
            )
    if field_code:
        hotspot_flows.evaluate(db_session=db_session, unit=unit, field_code=field_code, at=occurred_at)
    outbox.add(
        db_session,
        "escalation.incident.reported",
        {
            "incident_id": incident.id,
            "unit": unit,
            "place": place,
            "occurred_at": iso(occurred_at),
            "crowd_estimate": crowd_estimate,
            "summary": summary,
            "public_order": public_order,
            "case_id": incident.case_id,
            "reported_by": identity.subject,
            "reported_at": iso(now),
        },
    )
    return incident


def update(*, db_session: Session, identity: Identity, incident: Incident, changes: dict, now: dt.datetime) -> Incident:
    """The reporting police update their incident (place, time, crowd, summary, public order)."""
    service.own(identity, incident)
    if "occurred_at" in changes and changes["occurred_at"] > now + dt.timedelta(minutes=5):
        raise Problem(422, "occurred_at: in the future", errors=[{"field": "occurred_at", "message": "in the future"}])
    changed = sorted(k for k, v in changes.items() if getattr(incident, k) != v)
    for name in changed:
        setattr(incident, name, changes[name])
    if not changed:
        return incident
    incident.updated_at = now
    case = db_session.get(Case, incident.case_id) if incident.case_id else None
    if case is not None:
        timeline.note(
            db_session=db_session,
            case=case,
            actor=identity.subject,
            kind="incident_updated",
            now=now,
            detail={"incident_id": incident.id, "changed": changed, "crowd_estimate": incident.crowd_estimate},
        )
        if "public_order" in changed and incident.public_order:
            handling.mark_public_order(
                db_session=db_session, case=case, actor=identity.subject, reason="incident", now=now
            )
    service.announce(db_session, incident, change="updated", changed=changed, actor=identity.subject, now=now)
    return incident


def _case_for(*, db_session: Session, incident: Incident, reference_dir: Path, now: dt.datetime) -> Case:
    field_code = incident.field_code or "other"
    matter_key = f"{incident.unit}:{field_code}"
    existing = cases.find_open_for_matter(db_session=db_session, matter_key=matter_key)
    if existing is not None:
        opening.join_case(
            db_session=db_session,
            case=existing,
            source_type="incident",
            source_id=incident.id,
            actor=incident.reported_by,
            group_size=incident.crowd_estimate,
        )
        return existing
    unit = units.directory(db_session).unit(incident.unit, local_date(now))
    field = reference.field(reference_dir, field_code)
    title = (
        f"Tụ tập đông người (khoảng {incident.crowd_estimate} người), "
        f"{case_domain.field_phrase(field['name_vi'])}, {unit['name']}"
    )
    return opening.open_case(
        db_session=db_session,
        title=title,
        unit=incident.unit,
        field_code=field_code,
        category=None,
        matter_key=matter_key,
        severity=case_domain.severity_for_group(incident.crowd_estimate),
        level=case_domain.level_for_unit(unit.get("level")),
        owner_agency=field.get("agency"),
        group_size=incident.crowd_estimate,
        source_type="incident",
        source_id=incident.id,
        actor=incident.reported_by,
        public_order=incident.public_order,
        now=now,
    )
