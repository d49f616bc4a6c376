"""Agencies and officers over HTTP."""

from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common import web
from tiepdan_common.errors import Problem
from tiepdan_common.idempotency import transactional
from tiepdan_common.schemas import PlausibleDate, ProblemSchema, Text
from tiepdan_common.web import current_identity, db_session, require

from ..database import IdempotencyRecord
from ..duty import service as duty_service
from . import service
from .models import AGENCY_KINDS, CHANNEL_KINDS

# An agency may be older than the API's usual earliest date; none is older than the state (2 September 1945).
STATE_FOUNDED = dt.date(1945, 9, 2)
OFFICER_ROLES = ("board", "inspector", "leader", "department", "police")

blp = Blueprint("directory", __name__, description="Agencies and officers")


class AgencyOut(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    unit = fields.String()
    unit_name = fields.String(metadata={"description": "the People's Committee it belongs to, as printed"})
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True, metadata={"description": "last day it exists; null while it does"})


class AgencyPatch(Schema):
    name = Text(validate=validate.Length(min=2, max=200))
    unit_name = Text(validate=validate.Length(max=200))
    valid_from = PlausibleDate(allow_none=True, earliest=STATE_FOUNDED)
    valid_to = PlausibleDate(allow_none=True, earliest=STATE_FOUNDED)


class AgencyIn(AgencyPatch):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9-]{1,39}$"))
    name = Text(required=True, validate=validate.Length(min=2, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    unit = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{2,5}$"),
        metadata={"description": "unit code of the statistics office (2 digits a province, 3 a district, 5 a commune)"},
    )


class AgencyQuery(Schema):
    at = PlausibleDate(load_default=None, metadata={"description": "only agencies in force on this local date"})


class ChannelOut(Schema):
    kind = fields.String()
    address = fields.String()
    verified = fields.Boolean()


class OfficerOut(Schema):
    code = fields.String()
    full_name = fields.String()
    agency = fields.String(attribute="agency_code")
    agency_name = fields.Function(lambda o: o.agency.name)
    role = fields.String()
    title = fields.String()
    active = fields.Boolean()
    channels = fields.List(fields.Nested(ChannelOut))


class ChannelIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(CHANNEL_KINDS))
    address = Text(required=True, validate=validate.Length(min=3, max=400))
    verified = fields.Boolean(load_default=False)


class OfficerIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$"))
    full_name = Text(required=True, validate=validate.Length(min=2, max=200))
    agency = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(OFFICER_ROLES))
    title = Text(load_default="", validate=validate.Length(max=200))
    channels = fields.List(fields.Nested(ChannelIn), load_default=list)


class OfficerPatch(Schema):
    full_name = Text(validate=validate.Length(min=2, max=200))
    agency = fields.String()
    role = fields.String(validate=validate.OneOf(OFFICER_ROLES))
    title = Text(validate=validate.Length(max=200))
    active = fields.Boolean()


class ChannelsIn(Schema):
    channels = fields.List(fields.Nested(ChannelIn), required=True)


class OfficerQuery(Schema):
    agency = fields.String(load_default=None)


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
