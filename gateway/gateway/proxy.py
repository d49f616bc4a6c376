"""Forwarding ``/api/v1/<service>/<rest>`` to the service, with the caller's signed identity.

The path of a proxied request is kept cheap: the token comes from an in-memory
cache, the permission from a compiled table, the connection from aiohttp's shared
keep-alive pool (:mod:`gateway.upstream`). No database is touched. The header
fields sent each way are :mod:`gateway.forwarding`'s.
"""

from __future__ import annotations

import logging

from aiohttp import ClientError, ClientResponse, web

from tiepdan_common.limits import is_json, nesting_problem

from . import access
from .forwarding import request_headers, response_headers
from .middleware import CALLER_KEY, REQUEST_ID_KEY
from .problems import Problem
from .runtime import Gateway, Upstream
from .tokens import Caller, TokenError, UnknownKeyError
from .upstream import ConnectFailed, ConnectTimeout, ReadTimeout, UpstreamClient, UpstreamError

log = logging.getLogger(__name__)

GATEWAY_KEY = web.AppKey("gateway", Gateway)

REALM = 'Bearer realm="tiepdan"'

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# What the gateway forwards stays within the services' own limits (gunicorn: 100 header fields, a request line
# of 4094 bytes), which gunicorn would answer with an HTML page of its own: refused here first.
MAX_HEADER_FIELDS = 64
MAX_TARGET_BYTES = 4000

# Answers up to this size are read whole and sent in one piece; larger or unsized ones are streamed.
BUFFER_LIMIT = 1024 * 1024


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


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The request body, or a 413 problem when it is larger than ``limit`` bytes."""
    if not request.body_exists:
        return None
    length = request.content_length
    if length is not None and length > limit:
        raise Problem(413, f"The request body is larger than {limit} bytes.", code="payload_too_large")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Problem(413, f"The request body is larger than {limit} bytes.", code="payload_too_large") from None
    if is_json(request.content_type):
        # Refused here too, so that a service's parser never sees it (cheap: two counts for a usual body).
        too_deep = nesting_problem(body)
        if too_deep is not None:
            raise too_deep
    return body


def _upstream_problem(exc: UpstreamError, upstream: Upstream) -> Problem:
    """The answer when a service cannot be reached, does not answer in time, or answers nonsense."""
    name = upstream.name
    if isinstance(exc, ConnectTimeout):
        return Problem(
            503,
            f"The {name} service did not accept a connection in time.",
            code="service_unavailable",
            extra={"service": name},
        )
    if isinstance(exc, ReadTimeout):
        return Problem(
            504, f"The {name} service did not answer in time.", code="gateway_timeout", extra={"service": name}
        )
    if isinstance(exc, ConnectFailed):
        return Problem(
            503,
            f"The {name} service is unavailable.",
            code="service_unavailable",
            extra={"service": name},
            headers={"Retry-After": "5"},
        )
    return Problem(502, f"The {name} service gave no valid answer.", code="bad_gateway", extra={"service": name})


def _retryable(exc: UpstreamError, request: web.Request) -> bool:
    """Closed before any answer, and carrying an Idempotency-Key: safe to send again (aiohttp itself sends
    an idempotent method again)."""
    return exc.retryable and request.method not in IDEMPOTENT_METHODS and "Idempotency-Key" in request.headers


async def _send(
    gateway: Gateway,
    upstream: Upstream,
    request: web.Request,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
) -> ClientResponse:
    breaker = gateway.breakers[upstream.name]
    breaker.before()
    for attempt in (1, 2):
        try:
            answer = await gateway.upstream.request(
                request.method,
                upstream.endpoint,
                target,
                headers,
                body,
                connect_timeout=upstream.connect_timeout,
                read_timeout=upstream.read_timeout,
            )
        except UpstreamError as exc:
            if attempt == 1 and _retryable(exc, request):
                log.info("retrying %s %s after %s", request.method, upstream.name, exc)
                continue
            if exc.answered:
                breaker.success()
            elif exc.outage:
                breaker.failure()
            log.info("%s %s: %s: %s", request.method, upstream.name, type(exc).__name__, exc)
            raise _upstream_problem(exc, upstream) from None
        except UnicodeEncodeError:
            raise Problem(400, "A header field is not valid UTF-8.", code="bad_request") from None
        breaker.success()
        return answer
    raise AssertionError("unreachable")


async def _relay(request: web.Request, upstream: Upstream, answer: ClientResponse) -> web.StreamResponse:
    """The service's answer: in one piece when its length is known and small, streamed otherwise."""
    headers = response_headers(answer.raw_headers, upstream, request[REQUEST_ID_KEY])
    length = answer.content_length
    if request.method == "HEAD" or (length is not None and length <= BUFFER_LIMIT):
        try:
            body = await UpstreamClient.read(answer)
        except UpstreamError as exc:
            raise _upstream_problem(exc, upstream) from None
        return web.Response(status=answer.status, reason=answer.reason, body=body, headers=headers)
    response = web.StreamResponse(status=answer.status, reason=answer.reason, headers=headers)
    if length is not None:
        response.content_length = length
    await response.prepare(request)
    try:
        async for chunk in answer.content.iter_any():
            await response.write(chunk)
    except (ClientError, OSError, TimeoutError):
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
                f"Permission {permission!r} is required."
                if permission
                else "This route is not open to your kind of caller."
            )
            raise Problem(403, detail, code="forbidden", extra={"permission": permission})
    raw_path = request.rel_url.raw_path
    tail = raw_path[len(upstream.prefix) :]
    if not raw_path.startswith(upstream.prefix) or (tail and tail[0] != "/"):
        raise Problem(400, "The service part of the path must not be percent-encoded.", code="bad_request")
    target = upstream.endpoint.base_path + (tail or "/")
    query = request.rel_url.raw_query_string
    if query:
        target = f"{target}?{query}"
    if len(target) > MAX_TARGET_BYTES:
        raise Problem(414, f"The path and query are longer than {MAX_TARGET_BYTES} bytes.", code="uri_too_long")
    if len(request.raw_headers) > MAX_HEADER_FIELDS:
        raise Problem(431, f"More than {MAX_HEADER_FIELDS} header fields.", code="header_fields_too_large")
    body = await read_body(request, settings.max_body_bytes)
    headers = request_headers(request, gateway, upstream, caller, body)
    answer = await _send(gateway, upstream, request, target, headers, body)
    try:
        return await _relay(request, upstream, answer)
    finally:
        if answer.content.at_eof():
            answer.release()  # read to its end: the connection may serve another request
        else:
            answer.close()  # bytes left unread (an error, a caller gone): the connection is never used again
