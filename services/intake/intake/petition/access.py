"""Who may read what of a petition: confidentiality follows the denunciation, not the record type.

A record is ``confidential`` when it is a denunciation or was split from a petition holding one
(Law on Denunciation Arts. 47, 48, 56): its senders are hidden entirely, and links between its
parts are not shown. A denunciation's content, the person denounced and the evidence are read,
searched and exported only by its handlers (officers assigned to it; the registering officer is
one). Unmasking a confidential record's senders needs ``identity:read`` and either an assignment or
a stated purpose, which the audit log keeps.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity

from ..confidential.service import PERMISSION
from .models import Petition, PetitionHandler

HIDDEN_FIELDS = (
    "subject",
    "content",
    "citizen_request",
    "violator",
    "evidence",
    "prior_handling",
    "decision_reason",
    "resolution",
    "repeat_reason",
)
# The free text a step may carry, hidden with a denunciation's content.
STEP_TEXT = ("reason", "resolution", "part")
# A decision of the older endpoint (``decisions``), shown without its ``reason`` when the content is hidden.
DECISION_FIELDS = ("decision", "forwarded_to", "deadline", "on_time", "decided_at", "decided_by", "citizen_informed_on")


def officer_of(identity: Identity) -> str:
    """The name a step or an assignment is recorded under."""
    return identity.officer or identity.subject


def handled_ids(*, db_session: Session, identity: Identity, petition_ids: list[str]) -> set[str]:
    """Which of ``petition_ids`` the caller is assigned to."""
    if not petition_ids:
        return set()
    return set(
        db_session.scalars(
            select(PetitionHandler.petition_id).where(
                PetitionHandler.officer == officer_of(identity), PetitionHandler.petition_id.in_(petition_ids)
            )
        )
    )


def handled_by_caller(identity: Identity):
    """SQL: the ids of the petitions the caller handles."""
    return select(PetitionHandler.petition_id).where(PetitionHandler.officer == officer_of(identity))


def searchable(identity: Identity):
    """SQL: petitions whose text the caller may search (a denunciation only by its handlers)."""
    return (Petition.category != "denunciation") | Petition.id.in_(handled_by_caller(identity))


def may_unmask(*, identity: Identity, petition: Petition, handler: bool, purpose: str | None) -> bool:
    """Senders in clear: the right, and for a confidential record an assignment or a stated purpose."""
    if not identity.has(PERMISSION):
        return False
    return not petition.confidential or handler or bool(purpose)


OWN_UNIT_PURPOSE = "receiving unit's own record"


def own_unit_sees_names(identity: Identity, petition: Petition) -> bool:
    """An officer of the unit that received a non-confidential petition: its senders are the office's working
    data (issue 21), shown in clear and audited."""
    return (
        not petition.confidential
        and identity.kind in ("district", "commune")
        and bool(identity.unit)
        and identity.unit == petition.receiving_unit
    )


def may_read_content(*, identity: Identity, petition: Petition, handler: bool, purpose: str | None) -> bool:
    """A denunciation's content, person denounced and evidence: its handlers, or the right with a purpose."""
    if petition.category != "denunciation":
        return True
    return handler or (identity.has(PERMISSION) and bool(purpose))


def hide_content(petition: Petition) -> None:
    """Blank a denunciation's text on the object answered (never flushed: the caller expunges or only reads)."""
    petition.shown = {name: None for name in HIDDEN_FIELDS}
    petition.shown_decisions = decisions_shown(petition, readable=False)
    petition.content_hidden = True


def show_content(petition: Petition) -> None:
    petition.shown = {name: getattr(petition, name) for name in HIDDEN_FIELDS}
    petition.shown_decisions = decisions_shown(petition, readable=True)
    petition.content_hidden = False


def decisions_shown(petition, *, readable: bool) -> list:
    """The petition's decisions as answered: a denunciation's reasons only to those who may read its text."""
    if readable or petition.category != "denunciation":
        return list(petition.decisions)
    return [
        SimpleNamespace(**{name: getattr(d, name) for name in DECISION_FIELDS}, reason=None) for d in petition.decisions
    ]


def hide_links(petition: Petition, *, handler: bool) -> None:
    """A confidential record shows no split links and no visit, except a denunciation to its handlers."""
    keep = petition.category == "denunciation" and handler
    petition.shown_split_group = petition.split_group if (keep or not petition.confidential) else None
    petition.shown_split_from = petition.split_from if (keep or not petition.confidential) else None
    # The visit it was handed in at names the denouncer's visit: the same rule as the split links.
    petition.shown_visit_id = petition.visit_id if (keep or not petition.confidential) else None


def assign(*, db_session: Session, identity: Identity, petition: Petition, officer: str) -> PetitionHandler:
    """Assign ``officer`` to handle the petition (idempotent: the primary key holds one row, and a
    concurrent assignment of the same officer is found instead of failing)."""
    found = db_session.get(PetitionHandler, (petition.id, officer))
    if found is not None:
        return found
    row = PetitionHandler(petition_id=petition.id, officer=officer, assigned_by=officer_of(identity))
    try:
        with db_session.begin_nested():
            db_session.add(row)
    except IntegrityError:
        return db_session.get(PetitionHandler, (petition.id, officer), populate_existing=True)
    return row


def handlers(*, db_session: Session, petition_id: str) -> list[PetitionHandler]:
    return list(
        db_session.scalars(
            select(PetitionHandler)
            .where(PetitionHandler.petition_id == petition_id)
            .order_by(PetitionHandler.assigned_at, PetitionHandler.officer)
        )
    )


def require_handler_or_purpose(*, identity: Identity, handler: bool, purpose: str | None) -> None:
    """Refuse a confidential unmasking without an assignment or a purpose."""
    if not identity.has(PERMISSION):
        raise Problem(403, "Reading a denouncer's identity needs the identity:read right.", code="forbidden")
    if not handler and not purpose:
        raise field_error(
            "purpose", "state the purpose of reading a record you are not assigned to", status=403, code="forbidden"
        )
