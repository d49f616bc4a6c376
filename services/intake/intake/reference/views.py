"""Reference lookups for desks and the dashboard: units and fields."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tiepdan_common.web import db_session

from . import service

blp = Blueprint("reference", __name__, description="Reference data: administrative units and fields")


class UnitOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)


class FieldOut(Schema):
    code = fields.String()
    name_vi = fields.String()
    name_en = fields.String()
    agency_code = fields.String()


@blp.get("/units")
@blp.response(200, UnitOut(many=True))
def list_units():
    """Administrative units (province, district, communes)."""
    return service.list_units(db_session=db_session())


@blp.get("/fields")
@blp.response(200, FieldOut(many=True))
def list_fields():
    """Fields of petitions and the department responsible for each."""
    return service.list_fields(db_session=db_session())
