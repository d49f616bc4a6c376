"""A province request's stages, who may see it, and telling the province each change (``flows`` receives one
and records the citizens home, across cases)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from ..case import timeline
from ..case.models import Case
from ..clock import iso
from ..database import outbox
from . import domain
from .models import ProvinceRequest


def matter_key(request: ProvinceRequest) -> str:
    """The same matter as an open case only when the province named both the commune and the field;
    a request that names neither is a matter of its own (it never joins an unrelated case)."""
    if request.unit and request.field_code:
        return f"{request.unit}:{request.field_code}"
    return f"province_request:{request.id}"


def visible(identity: Identity, request: ProvinceRequest) -> bool:
    return domain.visible_to(
        kind=identity.kind,
        subject=identity.subject,
        unit=identity.unit,
        requested_by=request.requested_by,
        province_unit=request.province_unit,
        request_unit=request.unit,
    )


def get(*, db_session: Session, identity: Identity, request_id: str) -> ProvinceRequest:
    request = db_session.get(ProvinceRequest, request_id)
    if request is None or not visible(identity, request):
        raise Problem(404, "No such province request.")
    return request


def list_requests(*, db_session: Session, identity: Identity, status: str | None, limit: int) -> list:
    stmt = select(ProvinceRequest).order_by(ProvinceRequest.received_at.desc())
    if status == "open":
        stmt = stmt.where(ProvinceRequest.status != "completed")
    elif status:
        stmt = stmt.where(ProvinceRequest.status == status)
    if identity.kind == "province":
        stmt = stmt.where(ProvinceRequest.requested_by == identity.subject)
    elif identity.kind == "commune":
        stmt = stmt.where(ProvinceRequest.unit == identity.unit)
    return list(db_session.scalars(stmt.limit(limit)))


def check_move(request: ProvinceRequest, status: str) -> None:
    if not domain.can_move(request.status, status):
        raise Problem(
            409,
            f"status: a request cannot go from {request.status} to {status}",
            code="invalid_transition",
            errors=[{"field": "status", "message": f"not after {request.status}"}],
        )


def move(request: ProvinceRequest, status: str) -> str:
    """Move the request on; the status it had."""
    check_move(request, status)
    previous, request.status = request.status, status
    return previous


def announce(db_session: Session, request: ProvinceRequest, *, change: str, previous: str | None, now) -> None:
    """``province_request.updated``: every change the province hears of (notify pushes it to the province)."""
    outbox.add(
        db_session,
        "escalation.province_request.updated",
        {
            "request_id": request.id,
            "reference": request.reference,
            "requested_by": request.requested_by,
            "province_unit": request.province_unit,
            "change": change,
            "status": request.status,
            "previous_status": previous,
            "case_id": request.case_id,
            "deadline": iso(request.deadline),
            "assignees": dict(request.assignees or {}),
            "officers_sent": list(request.officers_sent or []),
            "dispatched_at": iso(request.dispatched_at),
            "citizens_returned_at": iso(request.citizens_returned_at),
            "updated_at": iso(now),
        },
    )


def _officer_errors(checks: list[tuple[str, str | None]]) -> None:
    errors = [{"field": field, "message": message} for field, message in checks if message]
    if errors:
        raise Problem(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)


def note(db_session: Session, request: ProvinceRequest, actor: str, kind: str, detail: dict, now) -> None:
    if request.case_id:
        case = db_session.get(Case, request.case_id)
        timeline.note(
            db_session=db_session,
            case=case,
            actor=actor,
            kind=kind,
            detail={"province_request_id": request.id, **detail},
            now=now,
        )


def assign(
    *, db_session: Session, request: ProvinceRequest, assignees: dict, officers: dict[str, dict], actor: str, now
) -> ProvinceRequest:
    """Assign officers of the inspectorate, the board and the commune (roster codes, checked against ``officers``)."""
    check_move(request, "assigned")
    _officer_errors(
        [(slot, domain.assignee_problem(slot, code, officers, request.unit)) for slot, code in assignees.items()]
    )
    previous = move(request, "assigned")
    request.assignees = {**(request.assignees or {}), **assignees}
    note(db_session, request, actor, "province_request_assigned", {"assignees": request.assignees}, now)
    announce(db_session, request, change="assigned", previous=previous, now=now)
    return request


def dispatch(
    *, db_session: Session, request: ProvinceRequest, officers: list[str], roster: dict[str, dict], actor: str, now
) -> ProvinceRequest:
    """Record the officers (of the roster) sent to the province to bring the citizens home."""
    check_move(request, "officers_sent")
    _officer_errors([(f"officers.{n}", domain.officer_problem(code, roster)) for n, code in enumerate(officers)])
    previous = move(request, "officers_sent")
    request.officers_sent, request.dispatched_at = list(dict.fromkeys(officers)), now
    note(db_session, request, actor, "officers_sent", {"officers": request.officers_sent}, now)
    announce(db_session, request, change="officers_sent", previous=previous, now=now)
    return request


def others_awaiting(db_session: Session, request: ProvinceRequest) -> bool:
    """Whether another request of the same case still waits for its citizens to come home."""
    return (
        db_session.scalar(
            select(ProvinceRequest.id)
            .where(
                ProvinceRequest.case_id == request.case_id,
                ProvinceRequest.id != request.id,
                ProvinceRequest.status.in_(domain.UNFINISHED),
            )
            .limit(1)
        )
        is not None
    )


def complete(*, db_session: Session, request: ProvinceRequest, outcome: str, actor: str, now) -> ProvinceRequest:
    """Close the request with its outcome; ``province_request.completed`` tells the province."""
    previous = move(request, "completed")
    request.outcome, request.completed_at = outcome, now
    announce(db_session, request, change="completed", previous=previous, now=now)
    note(db_session, request, actor, "province_request_completed", {"outcome": outcome}, now)
    outbox.add(
        db_session,
        "escalation.province_request.completed",
        {
            "request_id": request.id,
            "reference": request.reference,
            "outcome": outcome,
            "citizens_returned_at": iso(request.citizens_returned_at),
            "officers_sent": list(request.officers_sent or []),
            "completed_at": iso(now),
        },
    )
    return request
