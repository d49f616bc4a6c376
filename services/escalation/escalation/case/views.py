"""Cases over HTTP."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import ProblemSchema
from tiepdan_common.web import current_identity, db_session, require

from . import domain, service

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Cases (vụ việc) and their timelines")


class TimelineOut(Schema):
    at = fields.AwareDateTime()
    actor = fields.String()
    kind = fields.String()
    detail = fields.Dict()


class CaseOut(Schema):
    id = fields.String()
    number = fields.String()
    title = fields.String()
    unit = fields.String()
    field = fields.String(attribute="field_code")
    category = fields.String(allow_none=True)
    severity = fields.String()
    level = fields.String()
    status = fields.String()
    owner_agency = fields.String(allow_none=True)
    group_size = fields.Integer(allow_none=True)
    public_order = fields.Boolean()
    opened_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    close_reason = fields.String(allow_none=True)


class CaseDetailOut(CaseOut):
    timeline = fields.List(fields.Nested(TimelineOut))


class CaseQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("open", *domain.STATUSES)))
    unit = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


@blp.get("")
@require("cases:read")
@blp.arguments(CaseQuery, location="query")
@blp.response(200, CaseOut(many=True))
def list_cases(query):
    """Cases, newest first; ``status=open`` for every case not yet closed."""
    return service.list_cases(db_session=db_session(), identity=current_identity(), **query)


@blp.get("/<case_id>")
@require("cases:read")
@blp.response(200, CaseDetailOut)
@blp.alt_response(404, schema=ProblemSchema)
def get_case(case_id):
    """A case with its timeline."""
    return service.get(db_session=db_session(), identity=current_identity(), case_id=case_id)
