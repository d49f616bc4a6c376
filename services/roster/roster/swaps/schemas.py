"""Swap requests' request and answer schemas."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tiepdan_common.schemas import Text

from .models import SWAP_STATES

blp = Blueprint("swaps", __name__, description="Swaps: an officer asks, the other accepts, the board approves")


class SwapIn(Schema):
    assignment_id = fields.Integer(required=True, metadata={"description": "the requester's assignment"})
    counterpart = fields.String(required=True)
    return_assignment_id = fields.Integer(
        load_default=None, metadata={"description": "the counterpart's assignment taken in return"}
    )
    reason = Text(load_default="", validate=validate.Length(max=400))


class SwapOut(Schema):
    id = fields.Integer()
    shift_id = fields.Integer()
    duty_role = fields.String()
    requester = fields.String()
    counterpart = fields.String()
    return_shift_id = fields.Integer(allow_none=True)
    return_duty_role = fields.String(allow_none=True)
    status = fields.String()
    reason = fields.String()
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)


class SwapQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(SWAP_STATES))
    officer = fields.String(load_default=None)
