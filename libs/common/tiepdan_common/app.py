"""Building a service's Flask app and worker the same way in every service."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import flask_smorest
from flask import Flask

from .cli import register_commands
from .config import Settings
from .db import Database
from .logging import configure_logging
from .messaging.consumer import Consumer, ConsumerRunner
from .messaging.outbox import Outbox
from .messaging.relay import OutboxRelay
from .web import ProblemApi, init_service_app
from .worker import Component, Worker


def build_app(
    *,
    settings: Settings,
    title: str,
    version: str,
    blueprints: Iterable[flask_smorest.Blueprint],
    migrations_path: Path,
    consumers_factory: Callable[[], list[Consumer]] = list,
    db: Database | None = None,
    description: str = "",
) -> Flask:
    """A service's Flask app: gateway identity, problem+json, health, OpenAPI from marshmallow, CLI."""
    configure_logging(settings.service, settings.log_level)
    app = Flask(settings.service)
    app.config.update(
        API_TITLE=title,
        API_VERSION=version,
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": description}},
    )
    db = db or Database(settings.database_url)
    init_service_app(app, settings=settings, db=db)
    api = ProblemApi(app)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.extensions["tiepdan"]["api"] = api
    register_commands(app, migrations_path=migrations_path, consumers_factory=consumers_factory)
    return app


def build_worker(
    *,
    settings: Settings,
    db: Database,
    outbox: Outbox,
    processed_model: type[Any],
    consumers: Iterable[Consumer] = (),
    components: Iterable[Component] = (),
) -> Worker:
    """A worker process: the outbox relay, one runner per consumer, and the service's own components."""
    configure_logging(settings.service, settings.log_level)
    parts: list[Component] = [OutboxRelay(settings, db, outbox)]
    parts += [ConsumerRunner(settings, db, processed_model, c) for c in consumers]
    parts += list(components)
    return Worker(parts)
