"""Who sees a visit's citizens: the officers of the unit that received them (issue 21: the office's working
data), ``identity:read`` holders, nobody but a denunciation's handlers (or a stated purpose) at a visit
where one was handed in; every unmasked read is written to the identity-read audit log."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from ..confidential import service as confidential
from . import denounced
from .models import Visit

PURPOSE = "receiving unit's own record"


def present_to_own_unit(*, db_session: Session, identity: Identity, visit) -> list[dict]:
    """The visit's citizens in clear, and the read audited (purpose: the receiving unit's own record)."""
    return confidential.reveal_audited(
        db_session=db_session,
        identity=identity,
        record_type="visit",
        record_id=visit.id,
        people=visit.citizens,
        purpose=PURPOSE,
    )


def present(
    *,
    db_session: Session,
    identity: Identity,
    visit: Visit,
    unmasked: bool,
    purpose: str | None = None,
    denunciations: list[str] | None = None,
) -> Visit:
    """Attach the citizens as the caller may see them (``visit.people``); unmasked reads are audited.

    Names are shown to ``identity:read`` holders and, for a complaint, recommendation or feedback, to the
    officers of the unit that received the visit (their working data); the police, the province and other
    units see them masked. A denunciation made at the desk, or a visit at which one was handed in
    (``denunciations``: its ids, looked up when not given), hides its citizens entirely, and shows them
    only to ``identity:read`` with an assignment to the denunciation or a stated ``purpose``
    (``intake.visit.denounced``). Only the single visit's read (``unmasked``) shows them."""
    if denunciations is None:
        denunciations = denounced.denunciations_at(db_session=db_session, visit_ids=[visit.id]).get(visit.id, [])
    if denunciations or visit.category == "denunciation":
        show = (
            unmasked
            and identity.has(confidential.PERMISSION)
            and (
                bool(purpose) or denounced.handles(db_session=db_session, identity=identity, petition_ids=denunciations)
            )
        )
        visit.people = confidential.present(
            db_session=db_session,
            identity=identity,
            record_type="visit",
            record_id=visit.id,
            people=visit.citizens,
            strict=True,
            unmasked=show,
            purpose=purpose,
        )
        return visit
    if unmasked and not identity.has(confidential.PERMISSION) and own_unit_sees_names(identity, visit):
        visit.people = present_to_own_unit(db_session=db_session, identity=identity, visit=visit)
        return visit
    visit.people = confidential.present(
        db_session=db_session,
        identity=identity,
        record_type="visit",
        record_id=visit.id,
        people=visit.citizens,
        strict=visit.category == "denunciation",
        unmasked=unmasked,
    )
    return visit


def read(*, db_session: Session, identity: Identity, visit: Visit, purpose: str | None) -> Visit:
    """The single visit's read: a stated purpose needs the right to read identities (as on a petition)."""
    found = denounced.denunciations_at(db_session=db_session, visit_ids=[visit.id]).get(visit.id, [])
    if purpose and (found or visit.category == "denunciation") and not identity.has(confidential.PERMISSION):
        raise Problem(403, "Reading a denouncer's identity needs the identity:read right.", code="forbidden")
    return present(
        db_session=db_session, identity=identity, visit=visit, unmasked=True, purpose=purpose, denunciations=found
    )


def present_many(*, db_session: Session, identity: Identity, visits: list[Visit]) -> list[Visit]:
    """Visits of a list or an export, masked (a denouncer's visit entirely), looked up in one query."""
    found = denounced.denunciations_at(db_session=db_session, visit_ids=[v.id for v in visits])
    for visit in visits:
        present(
            db_session=db_session, identity=identity, visit=visit, unmasked=False, denunciations=found.get(visit.id, [])
        )
    return visits


def own_unit_sees_names(identity: Identity, visit: Visit) -> bool:
    """True when the caller is an officer of the unit that received ``visit`` and it is no denunciation."""
    return (
        visit.category != "denunciation"
        and identity.kind in ("district", "commune")
        and bool(identity.unit)
        and identity.unit == visit.receiving_unit
    )
