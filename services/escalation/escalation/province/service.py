"""Receiving a province request, following it through its stages, and telling the province the result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local, local_date
from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from .. import reference
from ..case import domain as case_domain
from ..case import service as cases
from ..case.models import Case
from ..clock import iso
from ..database import outbox
from ..unit import service as units
from . import domain
from .models import ProvinceRequest


def receive(
    *,
    db_session: Session,
    identity: Identity,
    group_size: int,
    place: str,
    contact: str,
    deadline: dt.datetime,
    unit: str | None,
    field_code: str | None,
    reference_code: str | None,
    note: str | None,
    reference_dir: Path,
    now: dt.datetime,
) -> ProvinceRequest:
    """Record the request, open (or join) the case about it, announce ``province_request.received``."""
    if deadline <= now:
        raise Problem(
            422, "deadline: must be in the future", errors=[{"field": "deadline", "message": "must be in the future"}]
        )
    request = ProvinceRequest(
        reference=reference_code,
        requested_by=identity.subject,
        province_unit=identity.unit,
        group_size=group_size,
        place=place,
        contact=contact,
        unit=unit,
        field_code=field_code,
        note=note,
        deadline=deadline,
        status="received",
        received_at=now,
        assignees={},
        officers_sent=[],
    )
    db_session.add(request)
    db_session.flush()
    request.case_id = _case_for(db_session=db_session, request=request, reference_dir=reference_dir, now=now).id
    outbox.add(
        db_session,
        "escalation.province_request.received",
        {
            "request_id": request.id,
            "reference": reference_code,
            "group_size": group_size,
            "place": place,
            "unit": unit,
            "field": field_code,
            "deadline": iso(deadline),
            "case_id": request.case_id,
            "received_at": iso(now),
        },
    )
    return request


def matter_key(request: ProvinceRequest) -> str:
    """The same matter as an open case only when the province named both the commune and the field;
    a request that names neither is a matter of its own (it never joins an unrelated case)."""
    if request.unit and request.field_code:
        return f"{request.unit}:{request.field_code}"
    return f"province_request:{request.id}"


def _case_for(*, db_session: Session, request: ProvinceRequest, reference_dir: Path, now: dt.datetime) -> Case:
    unit_code, field_code = request.unit or "947", request.field_code or "other"
    key = matter_key(request)
    existing = cases.find_open_for_matter(db_session=db_session, matter_key=key)
    if existing is not None:
        cases.join_case(
            db_session=db_session,
            case=existing,
            source_type="province_request",
            source_id=request.id,
            actor=request.requested_by,
            group_size=request.group_size,
            over_level=True,
        )
        return existing
    unit = units.directory(db_session).unit(unit_code, local_date(now))
    field = reference.field(reference_dir, field_code)
    title = (
        f"Công dân ({request.group_size} người) lên tỉnh, {case_domain.field_phrase(field['name_vi'])}, "
        f"{unit['name']}: tỉnh đề nghị đưa về trước {local(request.deadline):%H:%M ngày %d/%m/%Y}"
    )

    return cases.open_case(
        db_session=db_session,
        title=title,
        unit=unit_code,
        field_code=field_code,
        category=None,
        matter_key=key,
        severity=case_domain.severity_for_group(max(request.group_size, 10)),
        level="province",
        owner_agency="TTR",
        group_size=request.group_size,
        source_type="province_request",
        source_id=request.id,
        actor=request.requested_by,
        complex=True,
        now=now,
    )


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


def _check_move(request: ProvinceRequest, status: str) -> None:
    if not domain.can_move(request.status, status):
        raise Problem(
            409,
            f"status: a request cannot go from {request.status} to {status}",
            code="invalid_transition",
            errors=[{"field": "status", "message": f"not after {request.status}"}],
        )


def _move(request: ProvinceRequest, status: str) -> str:
    """Move the request on; the status it had."""
    _check_move(request, status)
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


def _note(db_session: Session, request: ProvinceRequest, actor: str, kind: str, detail: dict, now) -> None:
    if request.case_id:
        case = db_session.get(Case, request.case_id)
        cases.note(
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
    _check_move(request, "assigned")
    _officer_errors(
        [(slot, domain.assignee_problem(slot, code, officers, request.unit)) for slot, code in assignees.items()]
    )
    previous = _move(request, "assigned")
    request.assignees = {**(request.assignees or {}), **assignees}
    _note(db_session, request, actor, "province_request_assigned", {"assignees": request.assignees}, now)
    announce(db_session, request, change="assigned", previous=previous, now=now)
    return request


def dispatch(
    *, db_session: Session, request: ProvinceRequest, officers: list[str], roster: dict[str, dict], actor: str, now
) -> ProvinceRequest:
    """Record the officers (of the roster) sent to the province to bring the citizens home."""
    _check_move(request, "officers_sent")
    _officer_errors([(f"officers.{n}", domain.officer_problem(code, roster)) for n, code in enumerate(officers)])
    previous = _move(request, "officers_sent")
    request.officers_sent, request.dispatched_at = list(dict.fromkeys(officers)), now
    _note(db_session, request, actor, "officers_sent", {"officers": request.officers_sent}, now)
    announce(db_session, request, change="officers_sent", previous=previous, now=now)
    return request


def returned(
    *, db_session: Session, request: ProvinceRequest, returned_at: dt.datetime, actor: str, now
) -> ProvinceRequest:
    """The citizens are home: the request says so, and its case once no other request of the case awaits them."""
    _check_move(request, "citizens_returned")
    problem = domain.returned_problem(
        returned_at=returned_at, received_at=request.received_at, dispatched_at=request.dispatched_at, now=now
    )
    if problem:
        raise Problem(422, f"returned_at: {problem}", errors=[{"field": "returned_at", "message": problem}])
    previous = _move(request, "citizens_returned")
    request.citizens_returned_at = returned_at
    if request.case_id and not _others_awaiting(db_session, request):
        case = db_session.get(Case, request.case_id)
        if case.status in ("opened", "acknowledged", "in_progress"):
            cases.progress(
                db_session=db_session,
                case=case,
                status="citizens_returned",
                actor=actor,
                now=now,
                note="Công dân đã trở về địa phương",
            )
    _note(db_session, request, actor, "citizens_returned", {"returned_at": iso(returned_at)}, now)
    announce(db_session, request, change="citizens_returned", previous=previous, now=now)
    return request


def _others_awaiting(db_session: Session, request: ProvinceRequest) -> bool:
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
    previous = _move(request, "completed")
    request.outcome, request.completed_at = outcome, now
    announce(db_session, request, change="completed", previous=previous, now=now)
    _note(db_session, request, actor, "province_request_completed", {"outcome": outcome}, now)
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


def open_count(*, db_session: Session) -> int:
    from sqlalchemy import func

    return db_session.scalar(
        select(func.count()).select_from(ProvinceRequest).where(ProvinceRequest.status != "completed")
    )
