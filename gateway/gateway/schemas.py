"""Marshmallow schemas of the gateway's own endpoints (validation, and its part of the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from tiepdan_common.identity import KINDS
from tiepdan_common.schemas import CONTROL_CHARACTERS, ProblemSchema

from .access import PERMISSIONS

__all__ = [
    "HealthSchema",
    "JwkSchema",
    "JwksSchema",
    "ProblemSchema",
    "RevokeRequestSchema",
    "ServiceHealthSchema",
    "TokenRequestSchema",
    "TokenResponseSchema",
]

GRANT_TYPES = ("client_credentials", "password", "refresh_token")

# Which fields each grant needs.
GRANT_FIELDS = {
    "client_credentials": ("client_id", "client_secret"),
    "password": ("username", "password"),
    "refresh_token": ("refresh_token",),
}


def _no_control_characters(value: str) -> None:
    # A NUL in a user name reached the database (PostgreSQL refuses it); no credential holds one.
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError("Contains control characters.")


def _credential(max_length: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=max_length), _no_control_characters], **kwargs)


class TokenRequestSchema(Schema):
    """``POST /api/v1/auth/token``: a client's id and secret, or an officer's user name and password."""

    class Meta:
        unknown = EXCLUDE  # OAuth clients may send ``scope`` and such; they change nothing here.

    grant_type = fields.String(required=True, validate=validate.OneOf(GRANT_TYPES))
    client_id = _credential(100)
    client_secret = _credential(500, load_only=True)
    username = _credential(100)
    password = _credential(500, load_only=True)
    refresh_token = _credential(200, load_only=True)
    wall_board = fields.Boolean(
        load_default=False,
        metadata={"description": "password grant: a wall board, whose sign-in lasts while it keeps refreshing"},
    )

    @validates_schema
    def _fields_of_grant(self, data: dict[str, Any], **_kwargs: Any) -> None:
        needed = GRANT_FIELDS.get(data.get("grant_type", ""), ())
        missing = {name: ["Missing data for required field."] for name in needed if not data.get(name)}
        if missing:
            raise ValidationError(missing)


class TokenResponseSchema(Schema):
    """An access token and what it allows."""

    access_token = fields.String(required=True, metadata={"description": "EdDSA-signed JWT"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    unit = fields.String(allow_none=True)
    permissions = fields.List(fields.String(validate=validate.OneOf(PERMISSIONS)), required=True)
    refresh_token = fields.String(metadata={"description": "officers: spend it once for a new pair"})
    refresh_expires_in = fields.Integer(metadata={"description": "seconds the refresh token may stay unused"})


class RevokeRequestSchema(Schema):
    """``POST /api/v1/auth/revoke`` (RFC 7009): a refresh token whose family ends."""

    class Meta:
        unknown = EXCLUDE

    token = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class JwkSchema(Schema):
    """An Ed25519 public key (RFC 8037)."""

    kty = fields.String(required=True, metadata={"example": "OKP"})
    crv = fields.String(required=True, metadata={"example": "Ed25519"})
    x = fields.String(required=True)
    kid = fields.String(required=True)
    alg = fields.String(required=True, metadata={"example": "EdDSA"})
    use = fields.String(required=True, metadata={"example": "sig"})


class JwksSchema(Schema):
    """The keys verifying access tokens: the current one and retired ones whose tokens may be alive."""

    keys = fields.List(fields.Nested(JwkSchema), required=True)


class ServiceHealthSchema(Schema):
    """One service's readiness as seen from the gateway."""

    status = fields.String(required=True, metadata={"example": "ok"})
    http_status = fields.Integer(allow_none=True)
    detail = fields.String()
    circuit = fields.String(
        metadata={
            "description": "The gateway's circuit breaker for this service",
            "enum": ["closed", "open", "half-open"],
        }
    )


class HealthSchema(Schema):
    """The gateway's and every service's readiness."""

    status = fields.String(required=True, metadata={"example": "ok"})
    gateway = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceHealthSchema))
