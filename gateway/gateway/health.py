"""Health: the gateway's own ``/livez`` and ``/readyz``, and ``/api/v1/health`` over every service."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web

from .proxy import GATEWAY_KEY
from .runtime import Gateway, Upstream
from .settings import SERVICE_NAME


async def livez(request: web.Request) -> web.Response:
    """The process is up."""
    return web.json_response({"status": "ok", "service": SERVICE_NAME})


async def gateway_checks(gateway: Gateway) -> dict[str, str]:
    """The gateway's own readiness: its database answers and its verification keys are loaded."""
    checks: dict[str, str] = {}
    try:
        await gateway.run_sync(gateway.db.ping)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"failed: {type(exc).__name__}"
    if not gateway.keys_loaded:
        try:
            await gateway.refresh_keys(force=True)
        except Exception as exc:
            checks["signing_keys"] = f"failed: {type(exc).__name__}"
    checks.setdefault("signing_keys", "ok" if gateway.keys_loaded else "failed: not loaded")
    return checks


async def readyz(request: web.Request) -> web.Response:
    """The gateway can serve: 200, or 503 naming what fails."""
    checks = await gateway_checks(request.app[GATEWAY_KEY])
    ok = all(v == "ok" for v in checks.values())
    return web.json_response(
        {"status": "ok" if ok else "unavailable", "service": SERVICE_NAME, "checks": checks},
        status=200 if ok else 503,
    )


async def service_health(gateway: Gateway, upstream: Upstream) -> dict:
    """One service's ``/readyz``, with a short timeout."""
    assert gateway.http is not None
    timeout = aiohttp.ClientTimeout(total=gateway.settings.health_timeout)
    try:
        async with gateway.http.get(f"{upstream.base_url}/readyz", timeout=timeout, allow_redirects=False) as resp:
            await resp.read()
            return {"status": "ok" if resp.status == 200 else "unavailable", "http_status": resp.status}
    except TimeoutError:
        return {"status": "unavailable", "http_status": None, "detail": "timed out"}
    except aiohttp.ClientError as exc:
        return {"status": "unavailable", "http_status": None, "detail": type(exc).__name__}


async def health(request: web.Request) -> web.Response:
    """The gateway and every service: 200 when all are ready, else 503 with each one's status (and the state
    of this process's circuit breaker for it)."""
    gateway = request.app[GATEWAY_KEY]
    upstreams = list(gateway.upstreams.values())
    checks, *results = await asyncio.gather(gateway_checks(gateway), *(service_health(gateway, u) for u in upstreams))
    gateway_ok = all(v == "ok" for v in checks.values())
    services = {
        u.name: {**r, "circuit": gateway.breakers[u.name].state} for u, r in zip(upstreams, results, strict=True)
    }
    ok = gateway_ok and all(r["status"] == "ok" for r in services.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "gateway": "ok" if gateway_ok else "unavailable",
        "checks": checks,
        "services": services,
    }
    return web.json_response(body, status=200 if ok else 503, headers={"Cache-Control": "no-store"})
