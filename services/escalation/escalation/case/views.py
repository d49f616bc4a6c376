"""Cases over HTTP: list, read, open by hand, acknowledge, report progress, change, close, the escalation."""

from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint
from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from ..policy import service as policies
from ..policy.models import EscalationPolicy, EscalationStep
from ..web import now, restricted, setting
from . import schemas, service

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Cases (vụ việc) and their timelines")


def _writable(case_id: str):
    identity = current_identity()
    if restricted(identity):
        raise Problem(403, "Police and province callers do not change cases.", code="forbidden")
    return service.get(db_session=db_session(), identity=identity, case_id=case_id)


@blp.get("")
@require("cases:read")
@blp.arguments(schemas.CaseQuery, location="query")
@blp.response(200, schemas.CaseOut(many=True))
@blp.alt_response(200, schema=schemas.CasePublicOut(many=True), description="for police and province callers",
                  success=True)
def list_cases(query):
    """Cases, newest first; ``status=open`` for every case not yet closed. Police and province see the safe fields."""
    found = service.list_cases(db_session=db_session(), identity=current_identity(), **query)
    if restricted(current_identity()):
        return jsonify(schemas.CasePublicOut(many=True).dump(found))
    return found


@blp.post("")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(schemas.CaseIn)
@blp.response(201, schemas.CaseDetailOut)
def open_case(data):
    """Open a case by hand; its escalation starts at once."""
    identity = current_identity()
    if restricted(identity):
        raise Problem(403, "Police and province callers open cases through incidents and requests.", code="forbidden")
    return service.open_manual(db_session=db_session(), identity=identity, title=data["title"], unit=data["unit"],
                               field_code=data["field"], category=data["category"], severity=data["severity"],
                               group_size=data["group_size"], public_order=data["public_order"],
                               complex=data["complex"], owner_agency=data["owner_agency"], level=data["level"],
                               reference_dir=setting("reference_dir"), now=now())


@blp.get("/<case_id>")
@require("cases:read")
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_case(case_id):
    """A case with its timeline (police and province: kinds and times only)."""
    case = service.get(db_session=db_session(), identity=current_identity(), case_id=case_id)
    if restricted(current_identity()):
        return jsonify(schemas.CasePublicDetailOut().dump(case))
    return case


@blp.post("/<case_id>/acknowledge")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(schemas.AcknowledgeIn)
@blp.response(200, schemas.CaseDetailOut)
def acknowledge(data, case_id):
    """An officer acknowledges the case: its escalation stops until the progress timeout."""
    case = _writable(case_id)
    identity = current_identity()
    if case.status == "closed":
        raise Problem(409, "The case is closed.", code="already_closed")
    service.acknowledge(db_session=db_session(), case=case, by=identity.officer or identity.subject, via="api",
                        now=now())
    return case


@blp.post("/<case_id>/progress")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(schemas.ProgressIn)
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(409, schema=ProblemSchema)
def progress(data, case_id):
    """Report progress (in progress, citizens returned, resolved); the escalation is settled."""
    identity = current_identity()
    return service.progress(db_session=db_session(), case=_writable(case_id), status=data["status"],
                            note=data["note"], actor=identity.officer or identity.subject, now=now())


@blp.post("/<case_id>/update")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(schemas.UpdateIn)
@blp.response(200, schemas.CaseDetailOut)
def update(data, case_id):
    """Change flags (public order alerts the police; complex), severity, owner agency, or add participants."""
    identity = current_identity()
    return service.change(db_session=db_session(), case=_writable(case_id), actor=identity.officer or identity.subject,
                          now=now(), **data)


@blp.post("/<case_id>/close")
@require("cases:write")
@transactional(IdempotencyRecord)
@blp.arguments(schemas.CloseIn)
@blp.response(200, schemas.CaseDetailOut)
@blp.alt_response(409, schema=ProblemSchema)
def close(data, case_id):
    """Close the case with a reason (and outcome)."""
    identity = current_identity()
    return service.close(db_session=db_session(), case=_writable(case_id), reason=data["reason"],
                         outcome=data["outcome"], actor=identity.officer or identity.subject, now=now())


@blp.get("/<case_id>/escalation")
@require("cases:read")
@blp.response(200, schemas.EscalationOut)
@blp.alt_response(404, schema=ProblemSchema)
def escalation(case_id):
    """The case's escalation: policy, status, the next step and when it is due, the steps sent."""
    session = db_session()
    case = _writable(case_id)
    found = policies.for_case(db_session=session, case_id=case.id)
    if found is None:
        raise Problem(404, "This case has no escalation.")
    steps = session.query(EscalationStep).filter_by(escalation_id=found.id).order_by(EscalationStep.id).all()
    return {"policy": session.get(EscalationPolicy, found.policy_id).name, "status": found.status,
            "cycle": found.cycle, "step_index": found.step_index, "repeat": found.repeat,
            "next_step_at": found.next_step_at, "acknowledged_at": found.acknowledged_at,
            "acknowledged_by": found.acknowledged_by, "steps_sent": steps}
