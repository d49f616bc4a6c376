"""Agencies and officers over HTTP."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tiepdan_common.errors import Problem
from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import db_session, require

from . import service
from ..duty import service as duty_service

blp = Blueprint("directory", __name__, description="Agencies and officers")


class AgencyOut(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    unit = fields.String()


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


class OfficerQuery(Schema):
    agency = fields.String(load_default=None)


@blp.get("/agencies")
@require("roster:read")
@blp.response(200, AgencyOut(many=True))
def list_agencies():
    """The board, the inspectorate, departments, police, leadership and commune committees."""
    return duty_service.agencies(db_session=db_session())


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
