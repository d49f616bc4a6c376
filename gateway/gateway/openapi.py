"""``GET /api/v1/openapi.json``: the services' OpenAPI documents merged into one, with the gateway's own part.

The module is a little over 300 lines because the gateway's own endpoints are described here, beside the
merge that marks every service operation with the permission of the same route table.

Each service's paths are prefixed with ``/api/v1/<service>``, its components
renamed ``<service>.<Name>`` (and every ``$ref`` to them rewritten) so that two
services may both have a ``Visit`` schema. Each operation is marked with the
permission the gateway requires for it (``x-tiepdan-permission``). The
gateway's own endpoints are described from its marshmallow schemas.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import time
from typing import Any

import aiohttp
from aiohttp import web
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from tiepdan_common.identity import IDENTITY_HEADER, Identity, sign_identity

from . import access
from .proxy import GATEWAY_KEY
from .runtime import Gateway, Upstream
from .schemas import (
    HealthSchema,
    JwksSchema,
    ProblemSchema,
    RevokeRequestSchema,
    TokenRequestSchema,
    TokenResponseSchema,
)
from .version import __version__

log = logging.getLogger(__name__)

OPENAPI_VERSION = "3.1.0"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# A service's own infrastructure endpoints, not reachable through the gateway.
SKIPPED_PATHS = frozenset({"/livez", "/readyz", "/openapi.json", "/metrics"})
BEARER = "bearerAuth"

_PARAM = re.compile(r"\{[^}/]+\}")


def _problem_responses(*statuses: int) -> dict:
    return {
        str(s): {"description": desc, "content": {"application/problem+json": {"schema": "Problem"}}}
        for s, desc in (
            (400, "Bad request"),
            (401, "Bad credentials or token"),
            (403, "Permission refused"),
            (413, "Body too large"),
            (415, "Unsupported content type"),
            (422, "Invalid or missing fields"),
            (503, "Unavailable"),
        )
        if s in statuses
    }


def gateway_spec() -> dict:
    """The gateway's own endpoints and the bearer security scheme, generated from its schemas."""
    spec = APISpec(
        title="tiepdan API",
        version=__version__,
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={"description": "Citizen reception of Mỹ Xuyên district, through the tiepdan gateway."},
    )
    spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    for name, schema in (
        ("TokenRequest", TokenRequestSchema),
        ("TokenResponse", TokenResponseSchema),
        ("RevokeRequest", RevokeRequestSchema),
        ("Jwks", JwksSchema),
        ("Health", HealthSchema),
        ("Problem", ProblemSchema),
    ):
        spec.components.schema(name, schema=schema)
    spec.path(
        "/api/v1/auth/token",
        operations={
            "post": {
                "tags": ["auth"],
                "operationId": "auth.token",
                "summary": "Get an access token (client_credentials, password or refresh_token grant).",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": "TokenRequest"},
                        "application/x-www-form-urlencoded": {"schema": "TokenRequest"},
                    },
                },
                "responses": {
                    "200": {"description": "A token", "content": {"application/json": {"schema": "TokenResponse"}}},
                    **_problem_responses(400, 401, 415, 422),
                },
            }
        },
    )
    spec.path(
        "/api/v1/auth/revoke",
        operations={
            "post": {
                "tags": ["auth"],
                "operationId": "auth.revoke",
                "summary": "End a refresh token's family (signing out).",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": "RevokeRequest"},
                        "application/x-www-form-urlencoded": {"schema": "RevokeRequest"},
                    },
                },
                "responses": {"200": {"description": "Revoked (or unknown)"}, **_problem_responses(400, 415, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/auth/jwks",
        operations={
            "get": {
                "tags": ["auth"],
                "operationId": "auth.jwks",
                "summary": "The public keys verifying access tokens.",
                "security": [],
                "responses": {"200": {"description": "JWK set", "content": {"application/json": {"schema": "Jwks"}}}},
            }
        },
    )
    spec.path(
        "/api/v1/health",
        operations={
            "get": {
                "tags": ["health"],
                "operationId": "health",
                "summary": "Readiness of the gateway and of every service.",
                "security": [],
                "responses": {
                    "200": {"description": "All ready", "content": {"application/json": {"schema": "Health"}}},
                    "503": {
                        "description": "Something is not ready",
                        "content": {"application/json": {"schema": "Health"}},
                    },
                },
            }
        },
    )
    spec.path(
        "/api/v1/openapi.json",
        operations={
            "get": {
                "tags": ["health"],
                "operationId": "openapi",
                "summary": "This document.",
                "security": [],
                "responses": {"200": {"description": "OpenAPI document"}},
            }
        },
    )
    doc = spec.to_dict()
    doc["security"] = [{BEARER: []}]
    return doc


# --------------------------------------------------------------------------- merging


def _rewrite_refs(node: Any, service: str) -> Any:
    """A copy of ``node`` whose component references point at the service's prefixed names."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = _prefixed_ref(value, service)
            elif key == "mapping" and isinstance(value, dict):
                out[key] = {k: _prefixed_ref(v, service) if isinstance(v, str) else v for k, v in value.items()}
            else:
                out[key] = _rewrite_refs(value, service)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, service) for item in node]
    return node


def _prefixed_ref(ref: str, service: str) -> str:
    if not ref.startswith("#/components/"):
        return ref
    parts = ref.split("/", 4)  # '#', 'components', section, name[/more]
    if len(parts) < 4:
        return ref
    parts[3] = f"{service}.{parts[3]}"
    return "/".join(parts)


def _permission_of(method: str, gateway_path: str) -> str:
    """The permission the gateway requires; ``public`` for a public route, ``admin`` for one not in the table."""
    sample = _PARAM.sub("x", gateway_path)
    if access.is_public(method.upper(), sample):
        return "public"
    return access.required_permission(method.upper(), sample) or "admin"


def merge_service(doc: dict, service: str, service_doc: dict) -> None:
    """Add one service's document to the merged ``doc`` (in place)."""
    service_doc = _rewrite_refs(service_doc, service)
    components = doc.setdefault("components", {})
    for section, entries in (service_doc.get("components") or {}).items():
        if section == "securitySchemes" or not isinstance(entries, dict):
            continue  # through the gateway, the bearer token is the only scheme
        target = components.setdefault(section, {})
        for name, value in entries.items():
            target[f"{service}.{name}"] = value
    tags = doc.setdefault("tags", [])
    for tag in service_doc.get("tags") or []:
        if isinstance(tag, dict) and "name" in tag:
            tags.append({**tag, "name": f"{service}.{tag['name']}"})
    paths = doc.setdefault("paths", {})
    prefix = f"/api/v1/{service}"
    for path, item in (service_doc.get("paths") or {}).items():
        if path in SKIPPED_PATHS or not isinstance(item, dict):
            continue
        full = prefix + (path if path.startswith("/") else "/" + path)
        new_item = {}
        for key, operation in item.items():
            if key in HTTP_METHODS and isinstance(operation, dict):
                operation = dict(operation)
                operation.pop("security", None)
                if "operationId" in operation:
                    operation["operationId"] = f"{service}.{operation['operationId']}"
                operation["tags"] = [f"{service}.{t}" for t in operation.get("tags") or []] or [service]
                operation["x-tiepdan-permission"] = _permission_of(key, full)
                if operation["x-tiepdan-permission"] == "public":
                    operation["security"] = []  # no bearer token: the service checks a secret or a signature
            new_item[key] = operation
        paths[full] = new_item


def merge_documents(base: dict, service_docs: dict[str, dict | None]) -> dict:
    """The merged document: ``base`` (the gateway's) plus each service's (None for a service that failed)."""
    doc = copy.deepcopy(base)
    missing = []
    for service, service_doc in service_docs.items():
        if service_doc is None:
            missing.append(service)
            continue
        merge_service(doc, service, service_doc)
    if missing:
        doc["x-tiepdan-unavailable"] = missing
    return doc


# --------------------------------------------------------------------------- endpoint


async def fetch_service_doc(gateway: Gateway, upstream: Upstream, identity_header: str) -> dict | None:
    """A service's ``/openapi.json``, or None when it cannot be had."""
    assert gateway.http is not None
    timeout = aiohttp.ClientTimeout(total=max(gateway.settings.health_timeout, 5.0))
    try:
        async with gateway.http.get(
            f"{upstream.base_url}/openapi.json",
            headers={IDENTITY_HEADER: identity_header, "Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,
        ) as resp:
            if resp.status != 200:
                log.warning("openapi of %s: HTTP %s", upstream.name, resp.status)
                return None
            doc = await resp.json(content_type=None)
            return doc if isinstance(doc, dict) else None
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        log.warning("openapi of %s: %s", upstream.name, type(exc).__name__)
        return None


class OpenApiCache:
    """The gateway's own part (built once) and the last complete merged document."""

    def __init__(self) -> None:
        self.base = gateway_spec()
        self.merged: dict | None = None
        self.merged_at = 0.0


OPENAPI_KEY = web.AppKey("openapi", OpenApiCache)


async def openapi(request: web.Request) -> web.Response:
    """The merged document, cached for a short while once every service has answered."""
    gateway = request.app[GATEWAY_KEY]
    cache = request.app[OPENAPI_KEY]
    now = time.monotonic()
    if cache.merged is not None and now - cache.merged_at < gateway.settings.openapi_cache_seconds:
        return web.json_response(cache.merged)
    identity = sign_identity(
        Identity(subject="gateway", kind="service", permissions=access.permissions_for("service"), name="gateway"),
        gateway.settings.identity_key,
        ttl=60,
    )
    upstreams = list(gateway.upstreams.values())
    docs = await asyncio.gather(*(fetch_service_doc(gateway, u, identity) for u in upstreams))
    merged = merge_documents(cache.base, {u.name: d for u, d in zip(upstreams, docs, strict=True)})
    if "x-tiepdan-unavailable" not in merged:
        cache.merged, cache.merged_at = merged, now
    return web.json_response(merged)
