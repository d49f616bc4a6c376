"""Forwarding ``/api/v1/<service>/<rest>`` to the service, with the caller's signed identity.

The path of a proxied request is kept cheap: the token comes from an in-memory
cache, the permission from a compiled table, the connection from a shared
keep-alive pool. No database is touched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from tiepdan_common.context import correlation_id_var
from tiepdan_common.identity import IDENTITY_HEADER
from yarl import URL

from . import access
from .middleware import CALLER_KEY, CORRELATION_ID_HEADER, REQUEST_ID_HEADER, REQUEST_ID_KEY
from .problems import Problem
from .runtime import Gateway, Upstream
from .tokens import Caller, TokenError, UnknownKeyError

log = logging.getLogger(__name__)

GATEWAY_KEY = web.AppKey("gateway", Gateway)

REALM = 'Bearer realm="tiepdan"'

# Headers that concern one connection only (RFC 9110 section 7.6.1), never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Not forwarded to the services: recomputed, replaced, or the caller's own credentials.
REQUEST_DROP = HOP_BY_HOP | {"host", "content-length", "authorization", "expect", "x-request-id", "x-correlation-id"}
# Not passed back to the caller: recomputed by the gateway, or the service's own banner.
RESPONSE_DROP = HOP_BY_HOP | {"content-length", "server", "date", "x-request-id"}

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Answers up to this size are read whole and sent in one piece; larger or unsized ones are streamed.
BUFFER_LIMIT = 1024 * 1024
STREAM_CHUNK = 64 * 1024


# --------------------------------------------------------------------------- authentication


def _unauthenticated(description: str, *, error: str | None = "invalid_token") -> Problem:
    challenge = REALM if error is None else f'{REALM}, error="{error}", error_description="{description}"'
    return Problem(401, description, code="unauthenticated", headers={"WWW-Authenticate": challenge})


def bearer_token(request: web.Request) -> str:
    """The token of the ``Authorization: Bearer`` header, or a 401 problem."""
    header = request.headers.get("Authorization")
    if not header:
        raise _unauthenticated("A bearer token is required.", error=None)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("The Authorization header must be 'Bearer <token>'.", error="invalid_request")
    return token


async def authenticate(request: web.Request, gateway: Gateway) -> Caller:
    """The verified caller of ``request`` (cached), reloading the keys once if it names an unknown one."""
    token = bearer_token(request)
    try:
        return gateway.verifier.verify(token)
    except UnknownKeyError:
        await gateway.refresh_keys()
        try:
            return gateway.verifier.verify(token)
        except TokenError as exc:
            raise _unauthenticated(exc.description) from None
    except TokenError as exc:
        raise _unauthenticated(exc.description) from None


# --------------------------------------------------------------------------- forwarding


def _has_dot_segments(path: str) -> bool:
    """True for paths a service might resolve differently than the permission check (``.``, ``..``, ``//``)."""
    if "/." not in path and "//" not in path:
        return False
    segments = path.split("/")
    return any(seg in ("", ".", "..") for seg in segments[1:-1]) or segments[-1] in (".", "..")


def _connection_tokens(headers: Iterable[str]) -> set[str]:
    tokens: set[str] = set()
    for value in headers:
        tokens.update(t.strip().lower() for t in value.split(",") if t.strip())
    return tokens


def forward_headers(request: web.Request, gateway: Gateway, upstream: Upstream, caller: Caller) -> CIMultiDict[str]:
    """The caller's headers minus hop-by-hop, credentials and ``X-Tiepdan-*``, plus the signed identity."""
    drop = REQUEST_DROP
    connection = request.headers.getall("Connection", ())
    if connection:
        drop = drop | _connection_tokens(connection)
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in request.headers.items():
        lower = name.lower()
        if lower in drop or lower.startswith("x-tiepdan-"):
            continue
        out.add(name, value)
    out[IDENTITY_HEADER] = gateway.verifier.identity_header(caller)
    out[REQUEST_ID_HEADER] = request[REQUEST_ID_KEY]
    out[CORRELATION_ID_HEADER] = correlation_id_var.get() or request[REQUEST_ID_KEY]
    remote = request.remote
    if remote:
        prior = request.headers.get("X-Forwarded-For")
        out["X-Forwarded-For"] = f"{prior}, {remote}" if prior else remote
    out["X-Forwarded-Proto"] = request.scheme
    out["X-Forwarded-Host"] = request.host
    out["X-Forwarded-Prefix"] = upstream.prefix
    return out


def public_location(location: str, upstream: Upstream) -> str:
    """A ``Location`` of the service as the caller must follow it: under ``/api/v1/<service>``."""
    if location.startswith(upstream.base_url + "/"):
        return upstream.prefix + location[len(upstream.base_url):]
    if location.startswith("/") and not location.startswith("//") and not location.startswith(upstream.prefix + "/"):
        return upstream.prefix + location
    return location


def response_headers(
    upstream_headers: Iterable[tuple[str, str]], upstream: Upstream, request_id: str
) -> CIMultiDict[str]:
    """The service's answer headers minus hop-by-hop ones, ``Location`` made public, with the request id."""
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in upstream_headers:
        lower = name.lower()
        if lower in RESPONSE_DROP:
            continue
        if lower == "location":
            value = public_location(value, upstream)
        out.add(name, value)
    out[REQUEST_ID_HEADER] = request_id
    return out


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The request body, or a 413 problem when it is larger than ``limit`` bytes."""
    if not request.body_exists:
        return None
    length = request.content_length
    if length is not None and length > limit:
        raise Problem(413, f"The request body is larger than {limit} bytes.", code="payload_too_large")
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Problem(413, f"The request body is larger than {limit} bytes.", code="payload_too_large") from None


def _upstream_problem(exc: Exception, upstream: Upstream) -> Problem:
    """The answer when a service cannot be reached or does not answer in time."""
    name = upstream.name
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return Problem(503, f"The {name} service did not accept a connection in time.", code="service_unavailable",
                       extra={"service": name})
    if isinstance(exc, asyncio.TimeoutError):
        return Problem(504, f"The {name} service did not answer in time.", code="gateway_timeout",
                       extra={"service": name})
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Problem(503, f"The {name} service is unavailable.", code="service_unavailable",
                       extra={"service": name}, headers={"Retry-After": "5"})
    return Problem(502, f"The {name} service gave no valid answer.", code="bad_gateway", extra={"service": name})


def _retryable(exc: Exception, method: str, headers: CIMultiDict[str]) -> bool:
    """A kept-alive connection the service closed under us: safe to send again if the request is idempotent."""
    if isinstance(exc, aiohttp.ClientConnectorError | asyncio.TimeoutError):
        return False
    if not isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        return False
    return method in IDEMPOTENT_METHODS or "Idempotency-Key" in headers


def _is_outage(exc: Exception) -> bool:
    """A failure that says the service is down or stuck (counted by the circuit breaker)."""
    return isinstance(exc, TimeoutError | aiohttp.ClientConnectionError)


async def _send(
    gateway: Gateway, upstream: Upstream, method: str, url: URL, headers: CIMultiDict[str], body: bytes | None
) -> aiohttp.ClientResponse:
    assert gateway.http is not None, "Gateway.start() was not called"
    breaker = gateway.breakers[upstream.name]
    breaker.before()
    for attempt in (1, 2):
        try:
            answer = await gateway.http.request(
                method, url, headers=headers, data=body, timeout=upstream.timeout, allow_redirects=False
            )
        except (TimeoutError, aiohttp.ClientError) as exc:
            if attempt == 1 and _retryable(exc, method, headers):
                log.info("retrying %s %s after %s", method, url, type(exc).__name__)
                continue
            if _is_outage(exc):
                breaker.failure()
            raise _upstream_problem(exc, upstream) from None
        breaker.success()
        return answer
    raise AssertionError("unreachable")


async def _relay(
    request: web.Request, upstream: Upstream, answer: aiohttp.ClientResponse
) -> web.StreamResponse:
    """The service's answer, whole when small, streamed otherwise."""
    headers = response_headers(answer.headers.items(), upstream, request[REQUEST_ID_KEY])
    length = answer.content_length
    if request.method == "HEAD" or (length is not None and length <= BUFFER_LIMIT):
        try:
            body = await answer.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _upstream_problem(exc, upstream) from None
        return web.Response(status=answer.status, reason=answer.reason, body=body, headers=headers)
    response = web.StreamResponse(status=answer.status, reason=answer.reason, headers=headers)
    if length is not None:
        response.content_length = length
    await response.prepare(request)
    try:
        async for chunk in answer.content.iter_chunked(STREAM_CHUNK):
            await response.write(chunk)
    except (TimeoutError, aiohttp.ClientError):
        # Too late for a problem document: the status is sent. Cut the answer short.
        log.warning("upstream %s broke off an answer", upstream.name, exc_info=True)
        if request.transport is not None:
            request.transport.close()
        return response
    await response.write_eof()
    return response


async def proxy(request: web.Request) -> web.StreamResponse:
    """Handler of ``/api/v1/<service>/...``."""
    gateway = request.app[GATEWAY_KEY]
    upstream = gateway.upstreams[request.match_info["service"]]
    path = request.path
    if _has_dot_segments(path):
        raise Problem(400, "The path has empty, '.' or '..' segments.", code="bad_request")
    method = request.method
    settings = gateway.settings
    if access.is_public(method, path):
        caller = gateway.anonymous
        request[CALLER_KEY] = caller
        await gateway.limiter.hit("ip:" + (request.remote or "-"), settings.rate_limit_public)
    else:
        caller = await authenticate(request, gateway)
        request[CALLER_KEY] = caller
        await gateway.limiter.hit("client:" + caller.subject, settings.rate_limits.get(caller.kind, 0))
        allowed, permission = access.is_allowed(caller.kind, caller.permission_set, method, path)
        if not allowed:
            detail = (
                f"Permission {permission!r} is required." if permission
                else "This route is not open to your kind of caller."
            )
            raise Problem(403, detail, code="forbidden", extra={"permission": permission})
    raw_path = request.rel_url.raw_path
    tail = raw_path[len(upstream.prefix):]
    if not raw_path.startswith(upstream.prefix) or (tail and tail[0] != "/"):
        raise Problem(400, "The service part of the path must not be percent-encoded.", code="bad_request")
    url = upstream.base_url + (tail or "/")
    query = request.rel_url.raw_query_string
    if query:
        url = f"{url}?{query}"
    body = await read_body(request, settings.max_body_bytes)
    headers = forward_headers(request, gateway, upstream, caller)
    answer = await _send(gateway, upstream, method, URL(url, encoded=True), headers, body)
    try:
        return await _relay(request, upstream, answer)
    finally:
        answer.release()
