"""``POST /api/v1/auth/token`` and ``GET /api/v1/auth/jwks``."""

from __future__ import annotations

import base64
import binascii
import functools
import json
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import web
from marshmallow import ValidationError

from tiepdan_common.errors import flatten_messages
from tiepdan_common.limits import nesting_problem

from .accounts import AuthenticationFailed
from .auth import IssuedToken
from .problems import Problem
from .proxy import GATEWAY_KEY
from .schemas import RevokeRequestSchema, TokenRequestSchema

_TOKEN_REQUEST = TokenRequestSchema()
_REVOKE_REQUEST = RevokeRequestSchema()
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def _request_fields(request: web.Request) -> dict[str, Any]:
    """The token request's fields, from a JSON object or a form."""
    if not request.body_exists:
        return {}
    content_type = request.content_type
    if content_type == "application/json" or content_type.endswith("+json"):
        raw = await request.read()
        too_deep = nesting_problem(raw)
        if too_deep is not None:
            raise too_deep
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise Problem(400, "The body is not valid JSON.", code="bad_request") from None
        if not isinstance(data, dict):
            raise Problem(400, "The body must be a JSON object.", code="bad_request")
        return data
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except ValueError:  # a multipart body without its boundary, or a form that does not parse
            raise Problem(400, "The form cannot be read.", code="bad_request") from None
        return {key: value for key, value in form.items() if isinstance(value, str)}
    raise Problem(415, "Send the token request as JSON or as a form.", code="unsupported_media_type")


def _basic_credentials(request: web.Request) -> tuple[str, str] | None:
    """Client id and secret from ``Authorization: Basic`` (RFC 6749 section 2.3.1), if sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Problem(400, "Malformed Basic credentials.", code="bad_request") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise Problem(400, "Malformed Basic credentials.", code="bad_request")
    return unquote_plus(client_id), unquote_plus(secret)


async def token(request: web.Request) -> web.Response:
    """Trade a client's id and secret, or an officer's user name and password, for an access token."""
    gateway = request.app[GATEWAY_KEY]
    data = await _request_fields(request)
    basic = _basic_credentials(request)
    if basic is not None:
        data.setdefault("client_id", basic[0])
        data.setdefault("client_secret", basic[1])
    fields = _load(_TOKEN_REQUEST, data)
    who = fields.get("client_id") or fields.get("username") or ("refresh" if "refresh_token" in fields else "-")
    await gateway.limiter.hit(f"token:{request.remote or '-'}:{who}", gateway.settings.rate_limit_token)
    try:
        if fields["grant_type"] == "client_credentials":
            issued: IssuedToken = await gateway.run_sync(
                gateway.authenticator.client_token, fields["client_id"], fields["client_secret"]
            )
        elif fields["grant_type"] == "password":
            issued = await gateway.run_sync(
                functools.partial(
                    gateway.authenticator.user_token,
                    fields["username"],
                    fields["password"],
                    wall_board=fields["wall_board"],
                )
            )
        else:
            issued = await gateway.run_sync(gateway.authenticator.refreshed_token, fields["refresh_token"])
    except AuthenticationFailed as exc:
        # A Basic challenge only to a client that used Basic: browsers answer it with a login dialog.
        challenge = 'Basic realm="tiepdan"' if basic is not None else f'Bearer realm="tiepdan", error="{exc.code}"'
        headers = {"WWW-Authenticate": challenge, **NO_STORE}
        if exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        raise Problem(401, exc.message, code=exc.code, headers=headers) from None
    if issued.kid not in gateway.verifier.kids:
        # A key made by another process (first use, or a rotation): learn it now.
        await gateway.refresh_keys(force=True)
    principal = issued.principal
    answer = {
        "access_token": issued.token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "kind": principal.kind,
        "unit": principal.unit,
        "permissions": list(principal.permissions),
    }
    if issued.refresh_token:
        answer.update(refresh_token=issued.refresh_token, refresh_expires_in=issued.refresh_expires_in)
    return web.json_response(answer, headers=NO_STORE)


async def revoke(request: web.Request) -> web.Response:
    """End the family of a refresh token (signing out, RFC 7009): 200 whether it was known or not."""
    gateway = request.app[GATEWAY_KEY]
    fields = _load(_REVOKE_REQUEST, await _request_fields(request))
    await gateway.limiter.hit(f"token:{request.remote or '-'}:revoke", gateway.settings.rate_limit_token)
    await gateway.run_sync(gateway.refresh.revoke, fields["token"])
    return web.json_response({}, headers=NO_STORE)


def _load(schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as exc:
        errors = flatten_messages(exc.messages)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise Problem(422, detail, code="validation_failed", errors=errors) from None


async def jwks(request: web.Request) -> web.Response:
    """The public keys verifying access tokens (the current one, made at first use, and live retired ones)."""
    gateway = request.app[GATEWAY_KEY]

    def load():
        gateway.keys.current()
        return gateway.keys.published()

    published = await gateway.run_sync(load)
    return web.json_response({"keys": [key.jwk for key in published]}, headers={"Cache-Control": "public, max-age=60"})
