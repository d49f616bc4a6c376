"""Recording a petition's steps: checked by the lifecycle, dated, by whom, with the deadline they set.

Each step locks the petition's row first, so two desks acting at once are ordered: the second sees
the first's state and is refused (409) when its step no longer applies. The step and its event
(``intake.petition.step_recorded``) go in the same transaction (the outbox).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from ..database import outbox
from ..reference import service as reference
from . import access, deadlines, law, lifecycle, rules, service
from .models import Petition, PetitionStep


def _not_allowed(exc: lifecycle.StepNotAllowed) -> Problem:
    return Problem(409, exc.message, code="step_not_allowed", errors=[{"field": "step", "message": exc.message}])


def _check_day(day: dt.date, petition: Petition, field: str) -> None:
    if day > local_date(now()):
        raise field_error(field, "is in the future")
    if day < petition.received_on:
        raise field_error(field, "is before the petition was received")


def _last_dialogue(petition_id: str, db_session: Session) -> dict | None:
    row = db_session.scalars(
        select(PetitionStep)
        .where(PetitionStep.petition_id == petition_id, PetitionStep.step.in_(("dialogue_held", "dialogue_skipped")))
        .order_by(PetitionStep.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"step": row.step, "continues": json.loads(row.details).get("resolution_continues", True)}


def write_step(
    *,
    db_session: Session,
    petition: Petition,
    step: str,
    from_status: str | None,
    taken_on: dt.date,
    by: str,
    basis: str | None,
    details: dict,
    deadline: dt.date | None = None,
    on_time: bool = True,
) -> PetitionStep:
    """Add the step row and stage its event."""
    row = PetitionStep(
        petition_id=petition.id,
        step=step,
        from_status=from_status,
        to_status=petition.status,
        taken_on=taken_on,
        recorded_by=by,
        basis=basis,
        details=json.dumps(details, ensure_ascii=False, default=str),
        deadline=deadline,
        on_time=on_time,
    )
    db_session.add(row)
    db_session.flush()
    outbox.add(db_session, service.STEP_EVENT, service.step_event(petition, row))
    return row


def record(*, db_session: Session, identity: Identity, petition_id: str, data: dict) -> tuple[Petition, PetitionStep]:
    """Take one step of the lifecycle on the petition; 409 when the step is not allowed from its state."""
    petition = service.lock(db_session=db_session, identity=identity, petition_id=petition_id)
    name = data["step"]
    try:
        step = lifecycle.check(
            step=name,
            status=petition.status,
            category=petition.category,
            anonymous=petition.anonymous,
            received_on=petition.received_on,
            available_from=law.steps_available_from(),
        )
    except lifecycle.StepNotAllowed as exc:
        raise _not_allowed(exc) from exc
    taken_on = data.get("taken_on") or local_date(now())
    _check_day(taken_on, petition, "taken_on")
    if name == "not_accept" and petition.category not in lifecycle.DISPUTES:
        needs = ("reason",)
    else:
        needs = step.needs
    for field in needs:
        if data.get(field) in (None, ""):
            raise field_error(field, f"is required to record '{name}'")
    for field in ("letter_date", "held_on"):
        if data.get(field):
            _check_day(data[field], petition, field)
    if data.get("citizen_informed_on"):
        _check_day(data["citizen_informed_on"], petition, "citizen_informed_on")
    from_status = petition.status
    details = {k: v for k, v in data.items() if k not in ("step", "taken_on") and v not in (None, "")}
    work = rules.calendar(db_session=db_session)
    deadline, on_time = None, True
    try:
        deadline, on_time = _apply(
            db_session=db_session,
            petition=petition,
            step=step,
            data=data,
            taken_on=taken_on,
            details=details,
            calendar=work,
            by=access.officer_of(identity),
            at=data.get("decided_at") or now(),
        )
    except rules.RANGE_ERRORS as exc:
        raise rules.out_of_calendar(exc, "taken_on") from exc
    if step.to_state:
        petition.status = step.to_state
    if data.get("citizen_informed_on"):
        petition.citizen_informed_on = data["citizen_informed_on"]
    row = write_step(
        db_session=db_session,
        petition=petition,
        step=name,
        from_status=from_status,
        taken_on=taken_on,
        by=access.officer_of(identity),
        basis=step.basis,
        details=details,
        deadline=deadline,
        on_time=on_time,
    )
    return petition, row


def _decided(petition: Petition, decision: str, *, to_body=None, reason=None, at: dt.datetime | None, by: str):
    petition.decision, petition.forwarded_to, petition.decision_reason = decision, to_body, reason
    petition.decided_at, petition.decided_by = at, by


def _apply(
    *,
    db_session: Session,
    petition: Petition,
    step: lifecycle.Step,
    data: dict,
    taken_on: dt.date,
    details: dict,
    calendar,
    by: str,
    at: dt.datetime,
) -> tuple[dt.date | None, bool]:
    """The step's effect on the petition's fields and clock; returns (deadline it sets, on time)."""
    name = step.name
    on_time = deadlines.on_time(done_on=taken_on, deadline=petition.deadline)
    if name == "accept":
        complexity = data.get("complexity") or "normal"
        if petition.category == "denunciation" and complexity != "normal":
            raise field_error(
                "complexity",
                "a denunciation's period is extended by 'extend' steps (Art. 30), not chosen at acceptance",
            )
        if data.get("second_time") and petition.category == "complaint":
            petition.complaint_round = 2
        due = deadlines.resolution(
            category=petition.category,
            complaint_round=petition.complaint_round,
            complexity=complexity,
            accepted_on=taken_on,
            rules=rules.deadline_rules(db_session=db_session, on=taken_on),
            calendar=calendar,
        )
        petition.complexity = complexity if petition.category == "complaint" else None
        petition.stage, petition.deadline = due.stage, due.deadline
        _decided(petition, "accept", at=at, by=by)
        return due.deadline, on_time
    if name == "not_accept":
        if petition.category in lifecycle.DISPUTES:
            codes = {g.code: g for g in law.grounds(category=petition.category, on=petition.received_on)}
            if data["ground"] not in codes:
                raise field_error(
                    "ground", f"not a ground for not accepting a {petition.category}: one of {', '.join(sorted(codes))}"
                )
            details["ground_source"] = codes[data["ground"]].source
        petition.stage, petition.deadline = None, None
        _decided(petition, "not_accept", reason=data.get("reason") or data.get("ground"), at=at, by=by)
        return None, on_time
    if name in ("guide", "forward", "reforward"):
        # A forward is judged by Art. 24's 5 working days (a denunciation) or the Art. 28(1) answer; a
        # re-forward (the first body sent it back) by neither.
        if name == "forward" and petition.category == "denunciation" and petition.forward_deadline:
            on_time = deadlines.on_time(done_on=taken_on, deadline=petition.forward_deadline)
        elif name == "reforward":
            on_time = True
        else:
            on_time = deadlines.on_time(done_on=taken_on, deadline=petition.inform_deadline or petition.deadline)
        petition.stage, petition.deadline = None, None
        _decided(petition, "guide" if name == "guide" else "forward", to_body=data["to_body"], at=at, by=by)
        return None, on_time
    if name == "return_to_lower_level":
        if reference.get_unit(db_session=db_session, code=data["to_unit"]) is None:
            raise field_error("to_unit", f"unknown unit code {data['to_unit']!r}")
        # The commune's version in force on the day of the step, below the receiving unit in that day's tree.
        unit = reference.unit_on(db_session=db_session, code=data["to_unit"], on=taken_on)
        if unit is None:
            raise field_error(
                "to_unit",
                f"unit {data['to_unit']} is not in force on {taken_on.isoformat()} (đơn vị "
                f"{data['to_unit']} không còn hoặc chưa tồn tại vào ngày {taken_on:%d/%m/%Y})",
            )
        if not reference.is_ancestor(db_session=db_session, ancestor=petition.receiving_unit, code=unit):
            raise field_error("to_unit", "is not a unit below the receiving unit")
        petition.lower_unit = unit.code
        petition.stage, petition.deadline = None, None
        _decided(petition, "request_lower_level", to_body=data.get("to_body") or unit.name, at=at, by=by)
        return None, on_time
    if name == "extend":
        if petition.deadline is None:
            raise Problem(
                409,
                "Only a running resolution clock is extended.",
                code="step_not_allowed",
                errors=[{"field": "step", "message": "the clock is not running"}],
            )
        try:
            petition.deadline = deadlines.extension(
                extensions_so_far=petition.extensions,
                deadline=petition.deadline,
                rules=rules.deadline_rules(db_session=db_session, on=taken_on),
                calendar=calendar,
            )
        except ValueError as exc:
            raise Problem(
                409, str(exc), code="step_not_allowed", errors=[{"field": "step", "message": str(exc)}]
            ) from exc
        petition.extensions += 1
        return petition.deadline, on_time
    if name == "temporarily_suspend":
        petition.paused_on = taken_on
        petition.paused_remaining = (
            deadlines.pause(deadline=petition.deadline, on=taken_on) if petition.deadline else None
        )
        details["days_left"] = petition.paused_remaining
        petition.deadline = None
        return None, on_time
    if name == "resume":
        if petition.paused_remaining is not None:
            petition.deadline = deadlines.restart(remaining=petition.paused_remaining, on=taken_on, calendar=calendar)
        details["stopped_on"] = petition.paused_on.isoformat() if petition.paused_on else None
        petition.paused_on, petition.paused_remaining = None, None
        return petition.deadline, True
    if name in ("suspend", "withdraw", "archive"):
        petition.stage, petition.deadline = None, None
        petition.paused_on, petition.paused_remaining = None, None
        if name == "archive":
            _decided(petition, "archive", reason=data["reason"], at=at, by=by)
        return None, on_time
    if name == "dialogue_skipped":
        continues = lifecycle.skipped_dialogue_continues(
            valid_reason=bool(data.get("valid_reason")),
            received_on=petition.received_on,
            rule_from=law.rule_from("dialogue.skip_without_reason_continues"),
        )
        details["resolution_continues"] = continues
        return None, True
    if name == "resolve":
        if lifecycle.dialogue_blocks_resolution(_last_dialogue(petition.id, db_session)):
            raise Problem(
                409,
                "The dialogue was skipped for a valid reason (or before 1 July 2026): hold it before resolving.",
                code="step_not_allowed",
                errors=[{"field": "step", "message": "a dialogue must be held first"}],
            )
        if data["outcome"] not in lifecycle.OUTCOMES:
            raise field_error("outcome", f"one of {', '.join(lifecycle.OUTCOMES)}")
        petition.resolved_on, petition.resolution = taken_on, data["resolution"]
        petition.stage, petition.deadline = None, None
        return None, on_time
    return None, True  # withdraw_part, dialogue_held: recorded, the state and clock stay
