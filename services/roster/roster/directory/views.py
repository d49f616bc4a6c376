"""Agencies and officers over HTTP."""

from __future__ import annotations

from flask_smorest import Blueprint

from tiepdan_common import web
from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from ..duty import service as duty_service
from . import service
from .schemas import (
    AgencyIn,
    AgencyOut,
    AgencyPatch,
    AgencyQuery,
    ChannelsIn,
    OfficerIn,
    OfficerOut,
    OfficerPatch,
    OfficerQuery,
)

blp = Blueprint("directory", __name__, description="Agencies and officers")


@blp.get("/agencies")
@require("roster:read")
@blp.arguments(AgencyQuery, location="query")
@blp.response(200, AgencyOut(many=True))
def list_agencies(query):
    """The board, the inspectorate, departments, police, leadership and commune committees (optionally on a date)."""
    return duty_service.agencies(db_session=db_session(), at=query["at"])


@blp.post("/agencies")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(AgencyIn)
@blp.response(201, AgencyOut)
@blp.alt_response(409, schema=ProblemSchema)
@blp.alt_response(422, schema=ProblemSchema)
def create_agency(data):
    """Add an agency with the dates it exists (a successor body after a merger, say); audited."""
    return service.create_agency(db_session=db_session(), data=data, actor=current_identity().subject, now=web.now())


@blp.patch("/agencies/<code>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(AgencyPatch)
@blp.response(200, AgencyOut)
@blp.alt_response(404, schema=ProblemSchema)
@blp.alt_response(422, schema=ProblemSchema)
def update_agency(changes, code):
    """Edit an agency's name, unit name or dates (an ended agency's officers leave rotations after valid_to)."""
    return service.update_agency(
        db_session=db_session(), code=code, changes=changes, actor=current_identity().subject, now=web.now()
    )


@blp.get("/officers")
@require("roster:read")
@blp.arguments(OfficerQuery, location="query")
@blp.response(200, OfficerOut(many=True))
def list_officers(query):
    """Officers, optionally of one agency, with their contact channels."""
    return service.list_officers(db_session=db_session(), agency=query["agency"])


@blp.get("/officers/<code>")
@require("roster:read")
@blp.response(200, OfficerOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_officer(code):
    """One officer."""
    officer = service.get_officer(db_session=db_session(), code=code)
    if officer is None:
        raise Problem(404, "No such officer.")
    return officer


@blp.post("/officers")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(OfficerIn)
@blp.response(201, OfficerOut)
@blp.alt_response(422, schema=ProblemSchema)
def create_officer(data):
    """Add an officer to an agency (accepts Idempotency-Key)."""
    return service.create_officer(db_session=db_session(), data=data, actor=current_identity().subject, now=web.now())


@blp.patch("/officers/<code>")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(OfficerPatch)
@blp.response(200, OfficerOut)
@blp.alt_response(404, schema=ProblemSchema)
def update_officer(changes, code):
    """Edit an officer: name, title, role, agency, or active (an inactive officer is left out of rotations)."""
    return service.update_officer(
        db_session=db_session(), code=code, changes=changes, actor=current_identity().subject, now=web.now()
    )


@blp.put("/officers/<code>/channels")
@require("roster:write")
@transactional(IdempotencyRecord)
@blp.arguments(ChannelsIn)
@blp.response(200, OfficerOut)
@blp.alt_response(404, schema=ProblemSchema)
def replace_channels(data, code):
    """Replace an officer's contact channels (phone, email, webhook) and their verified flags."""
    return service.replace_channels(
        db_session=db_session(), code=code, channels=data["channels"], actor=current_identity().subject, now=web.now()
    )
