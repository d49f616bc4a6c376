"""Petitions as the caller may see them: finding, matters and repeats, presenting, the step event."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, lazyload

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import current_settings

from .. import listing
from ..confidential import service as confidential
from ..text import fold
from ..visit import domain as visit_domain
from . import access, law, lifecycle, revisions
from .models import (
    Petition,
    PetitionImage,
    PetitionSender,
    PetitionStep,
)

OPEN_STAGES = ("acceptance", "response", "initial_handling", "resolution")
PETITION_PREFIX = "DON-"  # a petition number (DON-947/2026/000001) is never a visit serial (947/2026/000001)
STEP_EVENT = "intake.petition.step_recorded"
NOT_INFORMED = ("received", "repeat", "voided", "filed", "inspection")

SORT_KEYS = {
    "received_at": listing.SortKey(
        Petition.received_at, lambda p: p.received_at, dt.datetime.fromisoformat, lambda v: v.isoformat()
    ),
    # Petitions without a deadline sort after every dated one.
    "deadline": listing.SortKey(
        func.coalesce(Petition.deadline, dt.date(9999, 12, 31)),
        lambda p: p.deadline or dt.date(9999, 12, 31),
        dt.date.fromisoformat,
        lambda v: v.isoformat(),
    ),
    "number": listing.SortKey(Petition.number, lambda p: p.number, str),
}


def _visible(stmt, identity: Identity):
    """A commune sees its own petitions and those returned to it by a higher level."""
    if not identity.is_commune:
        return stmt
    return stmt.where(or_(Petition.receiving_unit == identity.unit, Petition.lower_unit == identity.unit))


def visible_to(identity: Identity, petition: Petition) -> bool:
    return not identity.is_commune or identity.unit in (petition.receiving_unit, petition.lower_unit)


def _violation(exc: visit_domain.RuleViolation, rename: dict | None = None):
    field = (rename or {}).get(exc.field, exc.field)
    return field_error(field, exc.message)


def _repeat_query(*, commune: bool):
    """The first record (not itself a repeat) from senders carrying one of the blind indexes, about one
    matter, whose decision they were told of within the window (built once)."""
    matches = select(PetitionSender.petition_id).where(
        or_(
            PetitionSender.id_index.in_(bindparam("ids", expanding=True)),
            PetitionSender.name_index.in_(bindparam("names", expanding=True)),
        )
    )
    stmt = select(Petition).where(
        Petition.id.in_(matches),
        Petition.matter_key == bindparam("matter_key"),
        Petition.repeat_of.is_(None),
        Petition.status != "voided",
        Petition.citizen_informed_on.is_not(None),
        Petition.citizen_informed_on >= bindparam("since"),
        Petition.citizen_informed_on <= bindparam("until"),
    )
    if commune:  # a commune's repeats are among its own records, as everything it reads (_visible)
        stmt = stmt.where(Petition.receiving_unit == bindparam("unit"))
    # The answer shows the first record's decisions, never its senders: those are not loaded.
    return stmt.options(lazyload(Petition.senders)).order_by(Petition.received_at, Petition.id).limit(1)


_REPEAT_QUERIES = {commune: _repeat_query(commune=commune) for commune in (False, True)}


def matter_of(*, origin_unit: str, field: str, subject: str | None) -> str:
    """The matter a petition is about: its origin, field and subject folded (the key visits carry too)."""
    return visit_domain.matter_key(origin_unit=origin_unit, field=field, subject_folded=fold(subject))


def find_repeat(
    *, db_session: Session, identity: Identity, senders: list[dict], matter_key: str, on: dt.date
) -> Petition | None:
    """A suggestion: the first petition, visible to the caller, from one of these senders about the same
    matter, whose decision they were told of within the configured window before ``on``."""
    ids, names = [], []
    for person in senders:
        by_id, by_name = confidential.lookup_indexes(person)
        ids += by_id
        names += by_name
    if not ids and not names:
        return None
    window = current_settings().repeat_window_days
    params = {
        "ids": ids,
        "names": names,
        "matter_key": matter_key,
        "since": on - dt.timedelta(days=window),
        "until": on,
    }
    if identity.is_commune:
        params["unit"] = identity.unit
    return db_session.scalars(_REPEAT_QUERIES[identity.is_commune], params).first()


def step_event(petition, step: PetitionStep) -> dict:
    """The data of ``intake.petition.step_recorded``: no identity, no free text."""
    return {
        "petition_id": petition.id,
        "number": petition.number,
        "step": step.step,
        "from_status": step.from_status,
        "to_status": step.to_status,
        "taken_on": step.taken_on.isoformat(),
        "recorded_by": step.recorded_by,
        "legal_basis": step.basis,
        "deadline": step.deadline.isoformat() if step.deadline else None,
        "on_time": step.on_time,
        "receiving_unit": petition.receiving_unit,
        "to_unit": petition.lower_unit,
        "category": petition.category,
    }


def present(
    *,
    db_session: Session,
    identity: Identity,
    petition: Petition,
    unmasked: bool,
    handler: bool | None = None,
    purpose: str | None = None,
) -> Petition:
    """Attach the senders and text as the caller may see them; unmasked reads are audited (with a purpose)."""
    if handler is None:
        handler = bool(access.handled_ids(db_session=db_session, identity=identity, petition_ids=[petition.id]))
    show = unmasked and access.may_unmask(identity=identity, petition=petition, handler=handler, purpose=purpose)
    if unmasked and not show and access.own_unit_sees_names(identity, petition):
        petition.people = confidential.reveal_audited(
            db_session=db_session,
            identity=identity,
            record_type="petition",
            record_id=petition.id,
            people=petition.senders,
            purpose=access.OWN_UNIT_PURPOSE,
        )
    else:
        petition.people = confidential.present(
            db_session=db_session,
            identity=identity,
            record_type="petition",
            record_id=petition.id,
            people=petition.senders,
            strict=petition.confidential,
            unmasked=show,
            purpose=purpose,
        )
    if access.may_read_content(identity=identity, petition=petition, handler=handler, purpose=purpose):
        access.show_content(petition)
        if unmasked and petition.category == "denunciation":  # a denunciation read in full: audited too
            confidential.audit(
                db_session=db_session,
                identity=identity,
                record_type="petition_content",
                record_id=petition.id,
                person_count=0,
                purpose=purpose,
            )
    else:
        access.hide_content(petition)
    access.hide_links(petition, handler=handler)
    petition.allowed_steps = lifecycle.allowed(
        status=petition.status,
        category=petition.category,
        anonymous=petition.anonymous,
        received_on=petition.received_on,
        available_from=law.steps_available_from(),
    )
    return petition


def linked(*, db_session: Session, identity: Identity, petition: Petition, handler: bool) -> list[dict]:
    """The other parts of a split petition and the repeats of (or the first of) this matter.

    A confidential record links to no other part, except a denunciation to its handlers.
    """
    conditions = []
    if petition.split_group and (not petition.confidential or (petition.category == "denunciation" and handler)):
        conditions.append(Petition.split_group == petition.split_group)
    conditions.append(Petition.repeat_of == (petition.repeat_of or petition.id))
    if petition.repeat_of:
        conditions.append(Petition.id == petition.repeat_of)
    stmt = _visible(select(Petition), identity).where(or_(*conditions), Petition.id != petition.id)
    out = []
    for other in db_session.scalars(stmt.order_by(Petition.received_at, Petition.id)):
        if petition.split_group and other.split_group == petition.split_group:
            relation = "split_part"
        elif other.id == petition.repeat_of:
            relation = "first_record"
        else:
            relation = "repeat"
        out.append(
            {
                "id": other.id,
                "number": other.number,
                "category": other.category,
                "status": other.status,
                "relation": relation,
            }
        )
    return out


def get(*, db_session: Session, identity: Identity, petition_id: str, field: str | None = None) -> Petition:
    """The petition, if the caller may see it; otherwise 404 (existence is not leaked)."""
    petition = db_session.get(Petition, petition_id) if len(petition_id) <= 36 else None
    if petition is None or not visible_to(identity, petition):
        if field:
            raise field_error(field, "no such petition")
        raise Problem(404, "No such petition.", code="not_found")
    return petition


def lock(*, db_session: Session, identity: Identity, petition_id: str) -> Petition:
    """The petition, row-locked to the end of the transaction (two desks at once: the second waits)."""
    petition = get(db_session=db_session, identity=identity, petition_id=petition_id)
    return db_session.scalars(select(Petition).where(Petition.id == petition.id).with_for_update()).one()


def detail(*, db_session: Session, identity: Identity, petition_id: str, purpose: str | None = None) -> Petition:
    """One petition with its steps, revisions and links; senders unmasked for those entitled (audited)."""
    petition = get(db_session=db_session, identity=identity, petition_id=petition_id)
    handler = bool(access.handled_ids(db_session=db_session, identity=identity, petition_ids=[petition.id]))
    if purpose and petition.confidential and not handler:
        access.require_handler_or_purpose(identity=identity, handler=handler, purpose=purpose)
    petition.linked = linked(db_session=db_session, identity=identity, petition=petition, handler=handler)
    earlier_id = petition.repeat_of or petition.repeat_suggested_of
    petition.earlier = db_session.get(Petition, earlier_id) if earlier_id else None
    if petition.earlier is not None:  # its decisions' reasons: a denunciation's only to its handlers
        petition.earlier.shown_decisions = access.decisions_shown(
            petition.earlier,
            readable=bool(
                access.handled_ids(db_session=db_session, identity=identity, petition_ids=[petition.earlier.id])
            ),
        )
    petition.image_list = list(
        db_session.scalars(
            select(PetitionImage).where(PetitionImage.petition_id == petition.id).order_by(PetitionImage.id)
        )
    )
    petition.step_list = list(
        db_session.scalars(
            select(PetitionStep).where(PetitionStep.petition_id == petition.id).order_by(PetitionStep.id)
        )
    )
    petition.handler_list = access.handlers(db_session=db_session, petition_id=petition.id)
    petition = present(
        db_session=db_session, identity=identity, petition=petition, unmasked=True, handler=handler, purpose=purpose
    )
    petition.revision_list = revisions.history(db_session=db_session, petition=petition)
    if petition.content_hidden:  # a hidden denunciation's steps keep their dates and bodies, not their text
        for step in petition.step_list:
            step.shown_details = {k: v for k, v in json.loads(step.details).items() if k not in access.STEP_TEXT}
    return petition
