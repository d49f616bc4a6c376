"""Correcting or voiding a visit with a reason; the version before each change is kept (visit_versions).

The visit's row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL) and its ``version`` compared with
the one the clerk corrected, so two clerks' corrections never overwrite each other unseen: the second
answers 409. A correction is checked as a create is (units in force on the corrected day, the rules of
that day); its register number and its matter stay as they were. A voided visit leaves lists and
statistics (``voided=true`` lists it) and cannot be corrected again. Each change emits
``intake.visit.corrected`` (v1), which carries no identity and no free text.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem, field_error
from tiepdan_common.identity import Identity
from tiepdan_common.web import now

from ..database import outbox
from ..reference import service as reference
from ..text import fold
from . import domain, rules_of_day
from .models import Visit, VisitVersion

# What a correction may change, by API name -> column.
CORRECTABLE = {
    "received_at": "received_at",
    "category": "category",
    "field": "field_code",
    "origin_unit": "origin_unit",
    "subject": "subject",
    "content": "content",
    "prior_handling": "prior_handling",
    "citizen_request": "citizen_request",
    "over_level": "over_level",
    "channel": "channel",
}
OUTCOME_COLUMNS = ("outcome", "competent_body", "refusal_ground")


def _before(visit: Visit) -> dict:
    """The visit's correctable fields as they stand, JSON-ready."""
    out = {name: getattr(visit, column) for name, column in CORRECTABLE.items()}
    out["received_at"] = visit.received_at.isoformat()
    out.update({column: getattr(visit, column) for column in OUTCOME_COLUMNS})
    out.update(
        origin_unit_id=visit.origin_unit_id,
        receiving_unit_id=visit.receiving_unit_id,
        voided_at=visit.voided_at.isoformat() if visit.voided_at else None,
        void_reason=visit.void_reason,
    )
    return out


def _locked(db_session: Session, identity: Identity, visit_id: str, expected_version: int | None) -> Visit:
    """The visit, row-locked, if the caller may change it (its own unit's, or an administrator)."""
    visit = (
        db_session.scalars(select(Visit).where(Visit.id == visit_id).with_for_update()).first()
        if len(visit_id) <= 36
        else None
    )
    if visit is None or (identity.is_commune and visit.receiving_unit != identity.unit):
        raise Problem(404, "No such visit.", code="not_found")
    own_desk = identity.kind in ("district", "commune") and identity.unit == visit.receiving_unit
    if identity.kind != "admin" and not own_desk:
        raise Problem(403, "Only the receiving unit corrects its register.", code="forbidden")
    if visit.voided_at is not None:
        raise Problem(409, "The visit was voided; it cannot be changed.", code="voided")
    if expected_version is not None and expected_version != visit.version:
        raise field_error(
            "version",
            f"the visit is at version {visit.version}, not {expected_version}: reload it before correcting",
            status=409,
            code="conflict",
        )
    return visit


def _keep(db_session: Session, identity: Identity, visit: Visit, *, action: str, reason: str) -> None:
    db_session.add(
        VisitVersion(
            visit_id=visit.id,
            version=visit.version,
            action=action,
            reason=reason,
            changed_by=identity.subject,
            changed_at=now(),
            before=_before(visit),
        )
    )
    visit.version += 1


def correct(*, db_session: Session, identity: Identity, visit_id: str, data: dict) -> Visit:
    """Apply the fields given in ``data`` (with ``reason`` and optional ``version``) to the visit."""
    visit = _locked(db_session, identity, visit_id, data.get("version"))
    changes = {name: data[name] for name in CORRECTABLE if name in data}
    outcome = data.get("outcome")
    if not changes and outcome is None:
        raise field_error("reason", "a correction changes at least one field")
    received_at = changes.get("received_at", visit.received_at)
    on = local_date(received_at)
    origin_code = changes.get("origin_unit", visit.origin_unit)
    citizens = [{"id_number": None if c.id_number is None else "given"} for c in visit.citizens]

    def check(snap, final):  # the corrected visit against the rules of its (corrected) day, one snapshot
        units = rules_of_day.units_of_day(
            snap,
            receiving_unit=visit.receiving_unit,
            origin_unit=origin_code,
            field=changes.get("field", visit.field_code),
            on=on,
            final=final,
        )
        rules_of_day.check_reception(
            snap, on=on, channel=changes.get("channel", visit.channel), citizens=citizens, final=final
        )
        return units

    receiving, origin = reference.against_snapshot(db_session, check)
    if outcome is not None:
        try:
            domain.check_outcome(
                outcome=outcome["type"],
                competent_body=outcome["competent_body"],
                refusal_ground=outcome["refusal_ground"],
            )
        except domain.RuleViolation as exc:
            raise field_error(exc.field, exc.message) from exc
    _keep(db_session, identity, visit, action="corrected", reason=data["reason"])
    for name, value in changes.items():
        setattr(visit, CORRECTABLE[name], value)
    if outcome is not None:
        visit.outcome, visit.competent_body, visit.refusal_ground = (
            outcome["type"],
            outcome["competent_body"],
            outcome["refusal_ground"],
        )
    visit.receiving_unit_id, visit.origin_unit_id = receiving.id, origin.id
    visit.search_text = fold(" ".join(filter(None, (visit.subject, visit.content, visit.citizen_request))))
    changed = sorted({*changes, *(["outcome"] if outcome is not None else [])})
    _emit(db_session, visit, "corrected", changed)
    return visit


def void(*, db_session: Session, identity: Identity, visit_id: str, reason: str, version: int | None) -> Visit:
    """Void the visit (recorded in error), keeping it and its earlier version."""
    visit = _locked(db_session, identity, visit_id, version)
    _keep(db_session, identity, visit, action="voided", reason=reason)
    visit.voided_at, visit.void_reason = now(), reason
    _emit(db_session, visit, "voided", [])
    return visit


def _emit(db_session: Session, visit: Visit, action: str, changed: list[str]) -> None:
    outbox.add(
        db_session,
        "intake.visit.corrected",
        {
            "visit_id": visit.id,
            "serial": visit.serial,
            "receiving_unit": visit.receiving_unit,
            "origin_unit": visit.origin_unit,
            "received_at": visit.received_at.isoformat(),
            "category": visit.category,
            "field": visit.field_code,
            "action": action,
            "version": visit.version,
            "changed_fields": changed,
            "changed_at": now().isoformat(),
        },
    )


def versions(*, db_session: Session, visit_id: str) -> list[VisitVersion]:
    """The visit's earlier versions, oldest first."""
    return list(
        db_session.scalars(select(VisitVersion).where(VisitVersion.visit_id == visit_id).order_by(VisitVersion.version))
    )
