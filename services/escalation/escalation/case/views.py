"""Cases over HTTP: list, read, open by hand, acknowledge, report progress, change, close, the escalation.

Over 300 lines because it is one blueprint whose writes share one conflict handler (409 ``write_conflict``).
"""

from __future__ import annotations

import functools

from flask import jsonify
from flask_smorest import Blueprint
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, current_settings, db_session, now, require

from ..access import restricted
from ..database import IdempotencyRecord
from ..policy import service as policies
from ..policy.models import EscalationStep
from . import domain, schemas, service
from .flows import handling, lifecycle, opening

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Cases (vụ việc) and their timelines")


def _writable(case_id: str):
    """The case, locked for this write: a timer holding its escalation is waited for, never overwritten."""
    identity = current_identity()
    if restricted(identity):
        raise Problem(403, "Police and province callers do not change cases.", code="forbidden")
    return service.get(db_session=db_session(), identity=identity, case_id=case_id, lock=True)


def retryable(view):
    """A write that lost a race (another writer or the timer changed the row first) answers 409, to retry."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except (StaleDataError, OperationalError) as exc:
            db_session().rollback()
            raise Problem(
                409,
                "The case was changed at the same moment; send the request again.",
                code="write_conflict",
                headers={"Retry-After": "1"},
            ) from exc

    return wrapper


@blp.get("")
@require("cases:read")
@blp.arguments(schemas.CaseQuery, location="query")
# Police and province callers get CasePublicOut, a subset of these fields: one schema documents both (an
# alternative response for the same status would replace this one in the OpenAPI document).
@blp.response(200, schemas.CaseOut(many=True))
def list_cases(query):
    """Cases, newest first; ``status=open`` for every case not yet closed. Police and province see the safe fields."""
    found = service.list_cases(db_session=db_session(), identity=current_identity(), **query)
    if restricted(current_identity()):
        return jsonify(schemas.CasePublicOut(many=True).dump(found))
    return found


@blp.post("")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.arguments(schemas.CaseIn)
@blp.response(201, schemas.CaseDetailOut)
@blp.alt_response(200, schema=schemas.CaseDetailOut, description="the matter's open case, joined", success=True)
def open_case(data):
    """Open a case by hand (201), or join the open case of the same unit and field (200): one open case a matter."""
    identity = current_identity()
    if restricted(identity):
        raise Problem(403, "Police and province callers open cases through incidents and requests.", code="forbidden")
    case, opened = opening.open_manual(
        db_session=db_session(),
        identity=identity,
        title=data["title"],
        unit=data["unit"],
        field_code=data["field"],
        category=data["category"],
        severity=data["severity"],
        group_size=data["group_size"],
        public_order=data["public_order"],
        complex=data["complex"],
        owner_agency=data["owner_agency"],
        level=data["level"],
        reference_dir=current_settings().reference_dir,
        now=now(),
    )
    return _detail(case), 201 if opened else 200


@blp.get("/close-reasons")
@require("cases:read")
@blp.response(200, schemas.CloseReasonOut(many=True))
def close_reasons():
    """The reasons a case may be closed with (code and Vietnamese label), for a select; merged: by merging."""
    return [{"code": code, "label": domain.CLOSE_REASONS[code]} for code in domain.CLOSABLE_REASONS]


@blp.get("/<case_id>")
@require("cases:read")
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_case(case_id):
    """A case with its timeline (police and province: kinds and times only)."""
    case = service.get(db_session=db_session(), identity=current_identity(), case_id=case_id)
    if restricted(current_identity()):
        return jsonify(schemas.CasePublicDetailOut().dump(case))
    return _detail(case)


def _detail(case):
    """A case with its related cases, for the detail schema."""
    case.links = lifecycle.linked(db_session=db_session(), case=case)
    return case


@blp.post("/<case_id>/acknowledge")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.arguments(schemas.AcknowledgeIn)
@blp.response(200, schemas.CaseDetailOut)
def acknowledge(data, case_id):
    """An officer acknowledges the case: its escalation stops until the progress timeout."""
    case = _writable(case_id)
    identity = current_identity()
    if case.status == "closed":
        raise Problem(409, "The case is closed.", code="already_closed")
    handling.acknowledge(
        db_session=db_session(), case=case, by=identity.officer or identity.subject, via="api", now=now()
    )
    return _detail(case)


@blp.post("/<case_id>/progress")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.arguments(schemas.ProgressIn)
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(409, schema=ProblemSchema)
def progress(data, case_id):
    """Report progress (in progress, citizens returned, resolved); the escalation is settled."""
    identity = current_identity()
    return _detail(
        handling.progress(
            db_session=db_session(),
            case=_writable(case_id),
            status=data["status"],
            note=data["note"],
            actor=identity.officer or identity.subject,
            now=now(),
        )
    )


@blp.post("/<case_id>/update")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.arguments(schemas.UpdateIn)
@blp.response(200, schemas.CaseDetailOut)
def update(data, case_id):
    """Change flags (public order alerts the police; complex), severity, owner agency, or add participants."""
    identity = current_identity()
    return _detail(
        handling.change(
            db_session=db_session(),
            case=_writable(case_id),
            actor=identity.officer or identity.subject,
            now=now(),
            **data,
        )
    )


@blp.post("/<case_id>/close")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.arguments(schemas.CloseIn)
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(409, schema=ProblemSchema)
def close(data, case_id):
    """Close the case with a reason (and outcome)."""
    identity = current_identity()
    return _detail(
        handling.close(
            db_session=db_session(),
            case=_writable(case_id),
            reason=data["reason"],
            outcome=data["outcome"],
            actor=identity.officer or identity.subject,
            now=now(),
        )
    )


@blp.get("/<case_id>/escalation")
@require("cases:read")
@blp.response(200, schemas.EscalationOut)
@blp.alt_response(404, schema=ProblemSchema)
def escalation(case_id):
    """The case's escalation: policy, status, the next step and when it is due, the steps sent."""
    session = db_session()
    if restricted(current_identity()):
        raise Problem(403, "Police and province callers do not read escalations.", code="forbidden")
    case = service.get(db_session=session, identity=current_identity(), case_id=case_id)
    found = policies.for_case(db_session=session, case_id=case.id)
    if found is None:
        raise Problem(404, "This case has no escalation.")
    steps = session.query(EscalationStep).filter_by(escalation_id=found.id).order_by(EscalationStep.id).all()
    plan = policies.plan_of(db_session=session, escalation=found)
    return {
        "policy": plan.get("name"),
        "status": found.status,
        "cycle": found.cycle,
        "step_index": found.step_index,
        "repeat": found.repeat,
        "next_step_at": found.next_step_at,
        "acknowledged_at": found.acknowledged_at,
        "acknowledged_by": found.acknowledged_by,
        "steps_sent": steps,
        "failures": found.failures,
        "policy_steps": plan.get("steps") or [],
        "check_in_minutes": plan.get("check_in_minutes"),
        "next_target": policies.next_target(case=case, escalation=found, plan=plan),
    }


@blp.post("/<case_id>/merge")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.arguments(schemas.MergeIn)
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(409, schema=ProblemSchema)
def merge(data, case_id):
    """Merge this case into ``into``: closed as merged, its sources, links and timeline carried over.

    Answers the surviving case.
    """
    identity = current_identity()
    absorbed = _writable(case_id)
    survivor = _other(data["into"], "into")
    return _detail(
        lifecycle.merge(
            db_session=db_session(),
            absorbed=absorbed,
            survivor=survivor,
            actor=identity.officer or identity.subject,
            now=now(),
        )
    )


@blp.post("/<case_id>/links")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.arguments(schemas.LinkIn)
@blp.response(200, schemas.CaseDetailOut)
def link(data, case_id):
    """Link a related case (vụ việc liên quan); both timelines note it."""
    identity = current_identity()
    case = _writable(case_id)
    lifecycle.link(
        db_session=db_session(),
        case=case,
        other=_other(data["case_id"], "case_id"),
        actor=identity.officer or identity.subject,
        now=now(),
    )
    return _detail(case)


@blp.delete("/<case_id>/links/<other_id>")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(404, schema=ProblemSchema)
def unlink(case_id, other_id):
    """Remove the link between two cases."""
    identity = current_identity()
    case = _writable(case_id)
    lifecycle.unlink(
        db_session=db_session(),
        case=case,
        other=_other(other_id, "case_id"),
        actor=identity.officer or identity.subject,
        now=now(),
    )
    return _detail(case)


@blp.post("/<case_id>/reopen")
@require("cases:write")
@retryable
@transactional(IdempotencyRecord)
@blp.arguments(schemas.ReopenIn)
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(409, schema=ProblemSchema)
def reopen(data, case_id):
    """Reopen a closed case with a reason; its escalation starts again."""
    identity = current_identity()
    return _detail(
        lifecycle.reopen(
            db_session=db_session(),
            case=_writable(case_id),
            reason=data["reason"],
            actor=identity.officer or identity.subject,
            now=now(),
        )
    )


def _other(case_id: str, field: str):
    """Another case named in the body, locked too; one the caller cannot see is a 422 on that field."""
    try:
        return service.get(db_session=db_session(), identity=current_identity(), case_id=case_id, lock=True)
    except Problem as exc:
        if exc.status != 404:
            raise
        raise Problem(422, f"{field}: no such case", errors=[{"field": field, "message": "no such case"}]) from None
