"""The aiohttp application: ``create_app(settings)``, and ``app_factory`` for gunicorn.

Run with::

    gunicorn --config gateway/gunicorn.conf.py gateway.app:app_factory
"""

from __future__ import annotations

import re

from aiohttp import web

from tiepdan_common.logging import configure_logging

from . import auth_api, health, openapi, server_errors
from .middleware import ACCESS_LOG_KEY, AccessLog, gateway_middleware
from .proxy import GATEWAY_KEY, proxy
from .runtime import Gateway
from .settings import SERVICE_NAME, GatewaySettings, load_gateway_settings


async def _start(app: web.Application) -> None:
    await app[GATEWAY_KEY].start()


async def _stop(app: web.Application) -> None:
    await app[GATEWAY_KEY].close()


def create_app(settings: GatewaySettings | None = None) -> web.Application:
    """The gateway application (settings from the environment when none are given)."""
    settings = settings or load_gateway_settings()
    configure_logging(SERVICE_NAME, settings.log_level)
    app = web.Application(middlewares=[gateway_middleware], client_max_size=settings.max_body_bytes)
    app[GATEWAY_KEY] = Gateway(settings)
    app[ACCESS_LOG_KEY] = AccessLog(SERVICE_NAME)
    app[openapi.OPENAPI_KEY] = openapi.OpenApiCache()
    server_errors.install(app)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)

    router = app.router
    router.add_get("/livez", health.livez, allow_head=True)
    router.add_get("/readyz", health.readyz, allow_head=True)
    router.add_post("/api/v1/auth/token", auth_api.token)
    router.add_post("/api/v1/auth/revoke", auth_api.revoke)
    router.add_get("/api/v1/auth/jwks", auth_api.jwks)
    router.add_get("/api/v1/health", health.health)
    router.add_get("/api/v1/openapi.json", openapi.openapi)
    services = "|".join(re.escape(u.name) for u in settings.upstreams)
    router.add_route("*", "/api/v1/{service:" + services + "}{tail:(/.*)?}", proxy)
    return app


async def app_factory() -> web.Application:
    """For gunicorn's ``aiohttp.GunicornWebWorker``: the app, configured from the environment."""
    return create_app()
