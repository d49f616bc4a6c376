"""A province request across aggregates: received, it opens or joins the case of its matter; its citizens
home, the case moves on once no other request of it awaits them. The request and case services stay leaves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from tiepdan_common.clock import local, local_date
from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from .. import reference
from ..case import domain as case_domain
from ..case import service as cases
from ..case.flows import handling, opening
from ..case.models import Case
from ..clock import iso
from ..database import outbox
from ..unit import service as units
from . import domain, service
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


def returned(
    *, db_session: Session, request: ProvinceRequest, returned_at: dt.datetime, actor: str, now
) -> ProvinceRequest:
    """The citizens are home: the request says so, and its case once no other request of the case awaits them."""
    service.check_move(request, "citizens_returned")
    problem = domain.returned_problem(
        returned_at=returned_at, received_at=request.received_at, dispatched_at=request.dispatched_at, now=now
    )
    if problem:
        raise Problem(422, f"returned_at: {problem}", errors=[{"field": "returned_at", "message": problem}])
    previous = service.move(request, "citizens_returned")
    request.citizens_returned_at = returned_at
    if request.case_id and not service.others_awaiting(db_session, request):
        case = db_session.get(Case, request.case_id)
        if case.status in ("opened", "acknowledged", "in_progress"):
            handling.progress(
                db_session=db_session,
                case=case,
                status="citizens_returned",
                actor=actor,
                now=now,
                note="Công dân đã trở về địa phương",
            )
    service.note(db_session, request, actor, "citizens_returned", {"returned_at": iso(returned_at)}, now)
    service.announce(db_session, request, change="citizens_returned", previous=previous, now=now)
    return request


def _case_for(*, db_session: Session, request: ProvinceRequest, reference_dir: Path, now: dt.datetime) -> Case:
    unit_code, field_code = request.unit or "947", request.field_code or "other"
    key = service.matter_key(request)
    existing = cases.find_open_for_matter(db_session=db_session, matter_key=key)
    if existing is not None:
        opening.join_case(
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

    return opening.open_case(
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
