"""Correcting or voiding a petition with a reason; the earlier version stays in its history."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error

from ..text import fold
from .models import Petition, PetitionRevision

# The fields a correction may change (identity fields are corrected by re-registering: they are sealed).
CORRECTABLE = (
    "subject",
    "content",
    "citizen_request",
    "prior_handling",
    "field_code",
    "origin_unit",
    "violator",
    "evidence",
)


def snapshot(petition: Petition) -> dict:
    """The petition's correctable fields and state, as the history keeps them."""
    out = {name: getattr(petition, name) for name in CORRECTABLE}
    out.update(
        status=petition.status,
        stage=petition.stage,
        deadline=petition.deadline.isoformat() if petition.deadline else None,
    )
    return out


def correct(
    *, db_session: Session, petition: Petition, changes: dict, reason: str, by: str, matter_of
) -> PetitionRevision:
    """Apply ``changes`` (a subset of :data:`CORRECTABLE`) and keep the version before them."""
    if petition.status == "voided":
        raise Problem(
            409,
            "A voided petition is not corrected.",
            code="conflict",
            errors=[{"field": "status", "message": "the petition is voided"}],
        )
    changes = {k: v for k, v in changes.items() if k in CORRECTABLE and v != getattr(petition, k)}
    if not changes:
        raise field_error("changes", "nothing differs from the petition as it stands")
    revision = PetitionRevision(
        petition_id=petition.id,
        version=petition.version,
        kind="corrected",
        reason=reason,
        before=json.dumps(snapshot(petition), ensure_ascii=False),
        revised_by=by,
    )
    db_session.add(revision)
    for name, value in changes.items():
        setattr(petition, name, value)
    petition.search_text = fold(" ".join(filter(None, (petition.subject, petition.content, petition.citizen_request))))
    petition.matter_key = matter_of(
        origin_unit=petition.origin_unit, field=petition.field_code, subject=petition.subject
    )
    petition.version += 1
    return revision


def void(*, db_session: Session, petition: Petition, reason: str, by: str) -> PetitionRevision:
    """Void the petition (entered by mistake): it leaves every list of work, its history stays."""
    if petition.status == "voided":
        raise Problem(
            409,
            "The petition is already voided.",
            code="conflict",
            errors=[{"field": "status", "message": "the petition is voided"}],
        )
    revision = PetitionRevision(
        petition_id=petition.id,
        version=petition.version,
        kind="voided",
        reason=reason,
        before=json.dumps(snapshot(petition), ensure_ascii=False),
        revised_by=by,
    )
    db_session.add(revision)
    petition.status, petition.stage, petition.deadline = "voided", None, None
    petition.version += 1
    return revision


def history(*, db_session: Session, petition: Petition) -> list[dict]:
    """The earlier versions, oldest first; a hidden denunciation's text stays hidden in them too."""
    hidden = getattr(petition, "content_hidden", False)
    out = []
    for rev in db_session.scalars(
        select(PetitionRevision).where(PetitionRevision.petition_id == petition.id).order_by(PetitionRevision.id)
    ):
        before = json.loads(rev.before)
        if hidden:
            before = {
                k: (None if k in CORRECTABLE and k not in ("field_code", "origin_unit") else v)
                for k, v in before.items()
            }
        out.append(
            {
                "version": rev.version,
                "kind": rev.kind,
                "reason": None if hidden else rev.reason,
                "revised_by": rev.revised_by,
                "revised_at": rev.revised_at,
                "before": before,
            }
        )
    return out
