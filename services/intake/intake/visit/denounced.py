"""A visit at which a denunciation was handed in: the denouncer is hidden on the visit as on the petition.

A petition records the visit it was handed in at (``petitions.visit_id``); when that petition is
confidential (a denunciation, a part split from one, or any petition handed in at the same visit as one:
``intake.petition.registration``), the visit follows the petition package's rule
(``intake.petition.access``), as a denunciation made at the desk does: its citizens are hidden entirely (no initials, no last digits), never
shown to the receiving unit as its working data, and unmasked only for ``identity:read`` with an
assignment to the denunciation or a stated purpose, each such read audited with its purpose.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tiepdan_common.identity import Identity

from ..petition import access as petition_access
from ..petition.models import Petition
from .models import Visit


def denunciations_at(*, db_session: Session, visit_ids: list[str]) -> dict[str, list[str]]:
    """For each of ``visit_ids`` at which a denunciation was handed in, its denunciations' ids (a visit whose
    petitions are confidential only through a split part maps to those parts)."""
    if not visit_ids:
        return {}
    found: dict[str, list[str]] = defaultdict(list)
    rows = db_session.execute(
        select(Petition.visit_id, Petition.id, Petition.category)
        .where(Petition.visit_id.in_(visit_ids), Petition.confidential.is_(True))
        .order_by(Petition.id)
    )
    confidential: dict[str, list[str]] = defaultdict(list)
    for visit_id, petition_id, category in rows:
        confidential[visit_id].append(petition_id)
        if category == "denunciation":
            found[visit_id].append(petition_id)
    return {visit_id: found.get(visit_id) or ids for visit_id, ids in confidential.items()}


def handles(*, db_session: Session, identity: Identity, petition_ids: list[str]) -> bool:
    """True when the caller is assigned to one of the denunciations."""
    return bool(petition_access.handled_ids(db_session=db_session, identity=identity, petition_ids=petition_ids))


def hidden_from_finder(identity: Identity):
    """SQL: the visits a citizen search must not lead the caller to (a denunciation made there, or handed in
    there, that the caller does not handle)."""
    handled = select(Petition.visit_id).where(
        Petition.visit_id.is_not(None),
        Petition.category == "denunciation",
        Petition.id.in_(petition_access.handled_by_caller(identity)),
    )
    handed_in = select(Petition.visit_id).where(Petition.visit_id.is_not(None), Petition.confidential.is_(True))
    made = select(Visit.id).where(Visit.category == "denunciation")
    return select(Visit.id).where(or_(Visit.id.in_(handed_in), Visit.id.in_(made)), Visit.id.not_in(handled))
