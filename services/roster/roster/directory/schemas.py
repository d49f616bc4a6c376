"""Agencies' and officers' request and answer schemas."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import PlausibleDate, Text

from .models import AGENCY_KINDS, CHANNEL_KINDS

# An agency may be older than the API's usual earliest date; none is older than the state (2 September 1945).
STATE_FOUNDED = dt.date(1945, 9, 2)
OFFICER_ROLES = ("board", "inspector", "leader", "department", "police")


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
