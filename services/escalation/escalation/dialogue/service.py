"""Scheduling dialogues with citizens and recording their minutes and outcome."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem

from ..case import timeline
from ..case.models import Case
from ..clock import iso
from . import domain
from .models import Dialogue


def _invalid(field: str, message: str | None) -> None:
    if message:
        raise Problem(422, f"{field}: {message}", errors=[{"field": field, "message": message}])


def schedule(
    *,
    db_session: Session,
    case: Case,
    scheduled_at: dt.datetime,
    place: str,
    participants: list,
    actor: str,
    now: dt.datetime,
) -> Dialogue:
    """Schedule a dialogue (đối thoại) for a case."""
    if case.status == "closed":
        raise Problem(409, "The case is closed.", code="already_closed")
    _invalid("scheduled_at", domain.scheduled_problem(scheduled_at, now))
    dialogue = Dialogue(
        case_id=case.id,
        scheduled_at=scheduled_at,
        place=place,
        participants=participants,
        status="scheduled",
        created_by=actor,
        created_at=now,
    )
    db_session.add(dialogue)
    db_session.flush()
    timeline.note(
        db_session=db_session,
        case=case,
        actor=actor,
        kind="dialogue_scheduled",
        now=now,
        detail={"dialogue_id": dialogue.id, "scheduled_at": iso(scheduled_at), "place": place},
    )
    return dialogue


def reschedule(
    *,
    db_session: Session,
    case: Case,
    dialogue_id: str,
    actor: str,
    now: dt.datetime,
    scheduled_at: dt.datetime | None = None,
    place: str | None = None,
    participants: list | None = None,
) -> Dialogue:
    """Move a dialogue not yet held to another date or place, or change who is invited."""
    dialogue = get(db_session=db_session, case=case, dialogue_id=dialogue_id)
    if dialogue.status != "scheduled":
        raise Problem(409, f"The dialogue is already {dialogue.status}.", code="invalid_transition")
    if scheduled_at is not None:
        _invalid("scheduled_at", domain.scheduled_problem(scheduled_at, now))
    changed = {}
    for name, value in (("scheduled_at", scheduled_at), ("place", place), ("participants", participants)):
        if value is not None and getattr(dialogue, name) != value:
            changed[name] = True
            setattr(dialogue, name, value)
    if changed:
        timeline.note(
            db_session=db_session,
            case=case,
            actor=actor,
            kind="dialogue_rescheduled",
            now=now,
            detail={
                "dialogue_id": dialogue.id,
                "scheduled_at": iso(dialogue.scheduled_at),
                "place": dialogue.place,
                "changed": sorted(changed),
            },
        )
    return dialogue


def record(
    *,
    db_session: Session,
    case: Case,
    dialogue_id: str,
    status: str,
    minutes: str | None,
    outcome: str | None,
    participants: list | None,
    actor: str,
    now: dt.datetime,
    held_at: dt.datetime | None = None,
    place: str | None = None,
) -> Dialogue:
    """Record that a dialogue was held (when, where, who, minutes, outcome) or cancelled."""
    dialogue = get(db_session=db_session, case=case, dialogue_id=dialogue_id)
    if dialogue.status != "scheduled":
        raise Problem(409, f"The dialogue is already {dialogue.status}.", code="invalid_transition")
    if status == "held":
        held_at = held_at or dialogue.scheduled_at
        _invalid("held_at", domain.held_problem(held_at, now))
        _invalid("outcome", None if outcome else "required when the dialogue was held")
        dialogue.held_at, dialogue.place = held_at, place or dialogue.place
    dialogue.status, dialogue.minutes, dialogue.outcome = status, minutes, outcome
    if participants is not None:
        dialogue.participants = participants
    # The timeline names no participant: the minutes stay on the dialogue.
    timeline.note(
        db_session=db_session,
        case=case,
        actor=actor,
        kind=f"dialogue_{status}",
        now=now,
        detail={"dialogue_id": dialogue.id, "held_at": iso(dialogue.held_at)},
    )
    return dialogue


def get(*, db_session: Session, case: Case, dialogue_id: str) -> Dialogue:
    dialogue = db_session.get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.case_id != case.id:
        raise Problem(404, "No such dialogue.")
    return dialogue


def for_case(*, db_session: Session, case: Case) -> list[Dialogue]:
    return list(db_session.scalars(select(Dialogue).where(Dialogue.case_id == case.id).order_by(Dialogue.scheduled_at)))
