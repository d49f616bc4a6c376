"""The header fields of a proxied exchange: what the gateway passes to a service, and back to the caller.

A caller's fields go as they came, minus the hop-by-hop ones, its credentials and every ``X-Tiepdan-*`` (but a
provider's signature); the gateway adds the signed identity, the request and correlation ids and
``X-Forwarded-*``. A service's answer comes back minus its hop-by-hop fields and banner, ``Location`` made public.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

from tiepdan_common.context import correlation_id_var
from tiepdan_common.identity import IDENTITY_HEADER

from .middleware import CORRELATION_ID_HEADER, REQUEST_ID_HEADER, REQUEST_ID_KEY
from .problems import Problem
from .runtime import Gateway, Upstream
from .tokens import Caller

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
REQUEST_DROP = HOP_BY_HOP | {
    "host",
    "content-length",
    "authorization",
    "expect",
    "x-request-id",
    "x-correlation-id",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-prefix",
}
# The only caller-sent ``X-Tiepdan-*`` fields passed on: a provider's or webhook's HMAC signature, which the
# service verifies with its own secret (they carry no authority until it does). Every other one is dropped.
SIGNATURE_HEADERS = frozenset({"x-tiepdan-timestamp", "x-tiepdan-signature", "x-tiepdan-delivery"})
# Not passed back to the caller: recomputed by the gateway, or the service's own banner.
RESPONSE_DROP = HOP_BY_HOP | {"content-length", "server", "date", "x-request-id"}

# A connection that carried a larger request body is not reused (sent with ``Connection: close``): a service
# may answer without reading a body (a route that takes none), and gunicorn drains at most 64 kB of an unread
# body before it closes the connection it just announced as kept alive; the next request sent on it would fail.
REUSE_MAX_BODY = 60 * 1024

MAX_FORWARDED_FOR = 4096  # the caller's chain and the gateway's own address, in one field (gunicorn: 8190 bytes)


def _connection_tokens(values: Iterable[str]) -> set[str]:
    tokens: set[str] = set()
    for value in values:
        tokens.update(t.strip().lower() for t in value.split(",") if t.strip())
    return tokens


def request_headers(
    request: web.Request, gateway: Gateway, upstream: Upstream, caller: Caller, body: bytes | None
) -> list[tuple[str, str]]:
    """The header fields sent to the service: the caller's fields as they came, minus hop-by-hop ones,
    credentials and ``X-Tiepdan-*`` (but a provider's signature), plus the signed identity, the request and
    correlation ids, ``X-Forwarded-*``; ``Connection: close`` after a large body (see :data:`REUSE_MAX_BODY`)."""
    drop = REQUEST_DROP
    items = request.headers.items()
    connection = request.headers.getall("Connection", ())
    if connection:
        drop = drop | _connection_tokens(connection)
    fields: list[tuple[str, str]] = [("Host", upstream.endpoint.host_header)]
    forwarded_for: list[str] = []
    for name, value in items:
        lower = name.lower()
        if lower in drop or (lower.startswith("x-tiepdan-") and lower not in SIGNATURE_HEADERS):
            if lower == "x-forwarded-for":
                forwarded_for.append(value)
            continue
        fields.append((name, value))
    remote = request.remote
    if remote:
        forwarded_for.append(remote)
    if forwarded_for:
        chain = ", ".join(forwarded_for)
        if len(chain) > MAX_FORWARDED_FOR:
            raise Problem(431, "X-Forwarded-For is too long.", code="header_fields_too_large")
        fields.append(("X-Forwarded-For", chain))
    request_id = request[REQUEST_ID_KEY]
    fields += (
        (IDENTITY_HEADER, gateway.verifier.identity_header(caller)),
        (REQUEST_ID_HEADER, request_id),
        (CORRELATION_ID_HEADER, correlation_id_var.get() or request_id),
        ("X-Forwarded-Proto", request.scheme),
        ("X-Forwarded-Prefix", upstream.prefix),
        ("X-Forwarded-Host", request.host),
    )
    if body is not None and len(body) > REUSE_MAX_BODY:
        fields.append(("Connection", "close"))
    return fields


def public_location(location: str, upstream: Upstream) -> str:
    """A ``Location`` of the service as the caller must follow it: under ``/api/v1/<service>``."""
    if location.startswith(upstream.base_url + "/"):
        return upstream.prefix + location[len(upstream.base_url) :]
    if location.startswith("/") and not location.startswith("//") and not location.startswith(upstream.prefix + "/"):
        return upstream.prefix + location
    return location


def response_headers(
    upstream_headers: Iterable[tuple[bytes, bytes]], upstream: Upstream, request_id: str
) -> list[tuple[str, str]]:
    """The service's answer headers minus hop-by-hop ones, ``Location`` made public, with the request id."""
    out: list[tuple[str, str]] = []
    for raw_name, raw_value in upstream_headers:
        name, value = raw_name.decode("latin-1"), raw_value.decode("utf-8", "surrogateescape")
        lower = name.lower()
        if lower in RESPONSE_DROP:
            continue
        if lower == "location":
            value = public_location(value, upstream)
        out.append((name, value))
    out.append((REQUEST_ID_HEADER, request_id))
    return out
