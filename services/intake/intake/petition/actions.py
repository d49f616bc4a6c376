"""The desk's other actions on a petition: the older decision endpoints (as steps), informing the
citizen, confirming or overriding a repeat, correcting, voiding and assigning handlers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from ..database import outbox
from ..reference import service as reference
from . import access, revisions, service, steps
from .models import Petition, PetitionDecision

# POST /decisions: the decision as a lifecycle step.
DECISION_STEPS = {
    "accept": "accept",
    "guide": "guide",
    "forward": "forward",
    "request_lower_level": "return_to_lower_level",
    "archive": "archive",
    "not_accept": "not_accept",
}


def decide(*, db_session: Session, identity: Identity, petition_id: str, data: dict) -> Petition:
    """A handling decision (the older endpoint): the matching step, plus ``intake.petition.decided``."""
    decided_at = data["decided_at"] or now()
    if local_date(decided_at) > local_date(now()):
        raise field_error("decided_at", "is in the future")
    step_data = {
        **data,
        "step": DECISION_STEPS[data["decision"]],
        "taken_on": local_date(decided_at),
        "decided_at": decided_at,
        "to_body": data.get("to_body") or data.get("forwarded_to"),
    }
    step_data.pop("decision")
    try:
        petition, row = steps.record(db_session=db_session, identity=identity, petition_id=petition_id, data=step_data)
    except Problem as exc:
        if exc.errors and exc.errors[0]["field"] in ("taken_on", "to_body"):
            field = {"taken_on": "decided_at", "to_body": "forwarded_to"}[exc.errors[0]["field"]]
            raise field_error(field, exc.errors[0]["message"]) from exc
        raise
    petition.decisions.append(
        PetitionDecision(
            decision=data["decision"],
            forwarded_to=petition.forwarded_to,
            reason=data.get("reason"),
            deadline=row.deadline,
            on_time=row.on_time,
            decided_at=decided_at,
            decided_by=row.recorded_by,
            citizen_informed_on=data.get("citizen_informed_on"),
        )
    )
    db_session.flush()
    if data["decision"] != "not_accept":
        outbox.add(
            db_session,
            "intake.petition.decided",
            {
                "petition_id": petition.id,
                "number": petition.number,
                "decision": data["decision"],
                "forwarded_to": petition.forwarded_to,
                "deadline": row.deadline.isoformat() if row.deadline else None,
                "decided_at": decided_at.isoformat(),
                "citizen_informed_on": petition.citizen_informed_on.isoformat()
                if petition.citizen_informed_on
                else None,
            },
        )
    return service.present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def resolve(*, db_session: Session, identity: Identity, petition_id: str, data: dict) -> Petition:
    """Close an accepted petition with its outcome and resolution (the ``resolve`` step)."""
    petition, _ = steps.record(
        db_session=db_session,
        identity=identity,
        petition_id=petition_id,
        data={
            "step": "resolve",
            "taken_on": data["resolved_on"],
            "outcome": data["outcome"],
            "resolution": data["resolution"],
        },
    )
    return service.present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def inform(*, db_session: Session, identity: Identity, petition_id: str, informed_on: dt.date) -> Petition:
    """Record the day the citizen was told of the handling (Art. 28(1))."""
    petition = service.lock(db_session=db_session, identity=identity, petition_id=petition_id)
    if informed_on > local_date(now()) or informed_on < petition.received_on:
        raise field_error("informed_on", "must be between the receipt and today")
    if petition.anonymous:
        raise field_error("informed_on", "an anonymous petition has nobody to inform")
    petition.citizen_informed_on = informed_on
    steps.write_step(
        db_session=db_session,
        petition=petition,
        step="informed",
        from_status=petition.status,
        taken_on=informed_on,
        by=access.officer_of(identity),
        basis="Luật Tiếp công dân 42/2013, Điều 28(1)",
        details={},
        deadline=petition.inform_deadline,
        on_time=petition.inform_deadline is None or informed_on <= petition.inform_deadline,
    )
    return service.present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def decide_repeat(*, db_session: Session, identity: Identity, petition_id: str, data: dict) -> Petition:
    """The officer confirms the suggested repeat (no new handling) or overrides it, with a reason kept."""
    petition = service.lock(db_session=db_session, identity=identity, petition_id=petition_id)
    if petition.repeat_decision != "suggested" or not petition.repeat_suggested_of:
        raise Problem(
            409,
            "No repeat suggestion awaits a decision on this petition.",
            code="step_not_allowed",
            errors=[{"field": "decision", "message": "nothing suggested"}],
        )
    if petition.status != "received":
        raise Problem(
            409,
            f"The petition is already {petition.status}.",
            code="step_not_allowed",
            errors=[{"field": "decision", "message": f"already {petition.status}"}],
        )
    from_status = petition.status
    if data["decision"] == "confirm":
        petition.repeat_of, petition.status = petition.repeat_suggested_of, "repeat"
        petition.stage, petition.deadline = None, None
        db_session.execute(
            update(Petition).where(Petition.id == petition.repeat_of).values(repeat_count=Petition.repeat_count + 1)
        )
    elif not data.get("reason"):
        raise field_error("reason", "overriding a repeat suggestion states its reason")
    petition.repeat_decision = "confirmed" if data["decision"] == "confirm" else "overridden"
    petition.repeat_reason = data.get("reason")
    steps.write_step(
        db_session=db_session,
        petition=petition,
        step=f"repeat_{petition.repeat_decision}",
        from_status=from_status,
        taken_on=local_date(now()),
        by=access.officer_of(identity),
        basis="Luật Tiếp công dân 42/2013, Điều 26; Nghị định 55/2022 (đơn trùng)",
        details={"earlier": petition.repeat_suggested_of, "reason": data.get("reason")},
    )
    return service.present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def correct(*, db_session: Session, identity: Identity, petition_id: str, data: dict) -> Petition:
    """Correct the petition's text or matter with a reason; the earlier version stays in its history."""
    petition = service.lock(db_session=db_session, identity=identity, petition_id=petition_id)
    changes = {("field_code" if k == "field" else k): v for k, v in data.items() if k != "reason"}
    if "field_code" in changes or "origin_unit" in changes:
        from ..visit import service as visits

        visits.check_units(
            db_session=db_session,
            receiving_unit=petition.receiving_unit,
            origin_unit=changes.get("origin_unit", petition.origin_unit),
            field=changes.get("field_code", petition.field_code),
        )
    if changes.get("origin_unit") not in (None, petition.origin_unit):
        # The corrected origin: its version in force on the day of receipt, kept like the registered one.
        origin = reference.unit_on(db_session=db_session, code=changes["origin_unit"], on=petition.received_on)
        if origin is None:
            raise field_error(
                "origin_unit",
                f"unit {changes['origin_unit']} is not in force on "
                f"{petition.received_on.isoformat()} (đơn vị {changes['origin_unit']} "
                f"không còn hoặc chưa tồn tại vào ngày {petition.received_on:%d/%m/%Y})",
            )
        petition.origin_unit_id = origin.id
    revisions.correct(
        db_session=db_session,
        petition=petition,
        changes=changes,
        reason=data["reason"],
        by=access.officer_of(identity),
        matter_of=service.matter_of,
    )
    steps.write_step(
        db_session=db_session,
        petition=petition,
        step="corrected",
        from_status=petition.status,
        taken_on=local_date(now()),
        by=access.officer_of(identity),
        basis=None,
        details={"fields": sorted(changes), "version": petition.version},
    )
    return service.present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def void(*, db_session: Session, identity: Identity, petition_id: str, reason: str) -> Petition:
    """Void the petition with a reason; its history stays."""
    petition = service.lock(db_session=db_session, identity=identity, petition_id=petition_id)
    from_status = petition.status
    revisions.void(db_session=db_session, petition=petition, reason=reason, by=access.officer_of(identity))
    steps.write_step(
        db_session=db_session,
        petition=petition,
        step="voided",
        from_status=from_status,
        taken_on=local_date(now()),
        by=access.officer_of(identity),
        basis=None,
        details={},
    )
    return service.present(db_session=db_session, identity=identity, petition=petition, unmasked=False)


def assign(*, db_session: Session, identity: Identity, petition_id: str, officer: str):
    """Assign an officer to handle the petition (the need to know a denouncer's identity requires)."""
    petition = service.get(db_session=db_session, identity=identity, petition_id=petition_id)
    return access.assign(db_session=db_session, identity=identity, petition=petition, officer=officer)
