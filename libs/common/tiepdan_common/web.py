"""Flask wiring every service shares: gateway identity, request ids, problem+json, access logs, health."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import flask_smorest
from flask import Blueprint, Flask, Response, current_app, g, json, jsonify, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from . import limits
from .config import Settings
from .context import correlation_id_var, new_id, request_id_var
from .db import Database
from .errors import PROBLEM_CONTENT_TYPE, Problem, flatten_messages, problem_response
from .identity import IDENTITY_HEADER, Identity, IdentityError, IdentityVerifier

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)
access_log = logging.getLogger("tiepdan.access")

PUBLIC_PATHS = frozenset({"/livez", "/readyz"})
PERMISSION_EXTENSION = "x-tiepdan-permission"  # an operation's permission in the OpenAPI document
EXTENSION = "tiepdan"
DATABASE_RETRY_AFTER_SECONDS = 5


class ProblemApi(flask_smorest.Api):
    """flask-smorest's Api answering errors as problem+json naming the offending fields.

    Its OpenAPI document says so too: every 4xx/5xx response is documented as
    ``application/problem+json`` with the problem schema.
    """

    from .schemas import ProblemSchema as ERROR_SCHEMA  # flask-smorest's attribute name

    def _openapi_json(self) -> Response:
        return Response(json.dumps(problem_content_types(self.spec.to_dict()), indent=2), mimetype="application/json")

    def handle_http_exception(self, error: HTTPException) -> Response:
        data = getattr(error, "data", None) or {}
        messages = data.get("errors") or data.get("messages")
        errors = flatten_messages(messages) if messages else None
        detail = data.get("message") or error.description or error.name
        if errors:
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        status = error.code or 500
        return problem_response(
            status, detail, errors=errors, headers=data.get("headers"), request_id=request_id_var.get()
        )


def problem_content_types(doc: dict) -> dict:
    """Document error responses with the content type they are sent with (application/problem+json)."""

    def fix(responses: dict, is_error: Callable[[str, dict], bool]) -> None:
        for key, response in responses.items():
            content = response.get("content") if isinstance(response, dict) else None
            if content and "application/json" in content and is_error(key, content["application/json"]):
                content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")

    # Shared responses are named (NOT_FOUND, DEFAULT_ERROR...): the error ones carry the problem schema.
    fix(
        doc.get("components", {}).get("responses", {}),
        lambda _name, media: str(media.get("schema", {}).get("$ref", "")).endswith("/Problem"),
    )
    for operations in doc.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                fix(operation.get("responses", {}), lambda status, _media: str(status)[:1] in ("4", "5", "d"))
    return doc


class Int32Converter(IntegerConverter):
    """Flask's ``int`` converter, bounded to what an INTEGER column holds."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_service_app(
    app: Flask,
    *,
    settings: Settings,
    db: Database,
    readiness_checks: Iterable[tuple[str, Callable[[], None]]] = (),
) -> None:
    """Attach identity checks, request context, error handling and health endpoints to ``app``."""
    # Ids in URLs are 32-bit integers in both databases: a larger number matches no route (404)
    # instead of overflowing in PostgreSQL.
    app.url_map.converters["int"] = Int32Converter
    verifier = IdentityVerifier(settings.identity_keys)
    app.extensions[EXTENSION] = {"settings": settings, "db": db, "verifier": verifier}
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    if isinstance(app.json, DefaultJSONProvider):
        app.json.ensure_ascii = False  # Vietnamese comes back as sent, not as \u escapes.

    @app.before_request
    def _request_context() -> Response | None:
        g.started = time.perf_counter()
        rid = request.headers.get("X-Request-ID") or new_id()
        g.request_id = rid[:100]
        request_id_var.set(g.request_id)
        correlation_id_var.set((request.headers.get("X-Correlation-ID") or g.request_id)[:100])
        if request.path in PUBLIC_PATHS:
            return None
        try:
            g.identity = verifier.verify(request.headers.get(IDENTITY_HEADER))
        except IdentityError as exc:
            return problem_response(
                401,
                "This service is reached only through the gateway.",
                code="unauthenticated",
                reason=str(exc),
                request_id=g.request_id,
            )
        return None

    # Bodies are checked once the caller is known: nesting depth, media type (see limits).
    limits.install(app)

    @app.after_request
    def _after(response: Response) -> Response:
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        if request.path not in PUBLIC_PATHS:
            identity = g.get("identity")
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed, 2),
                    "caller": identity.subject if identity else None,
                },
            )
        return response

    @app.teardown_request
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    @app.errorhandler(Problem)
    def _problem(exc: Problem) -> Response:
        return problem_response(
            exc.status,
            exc.detail,
            code=exc.code,
            errors=exc.errors,
            headers=exc.headers,
            request_id=g.get("request_id"),
            **exc.extra,
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):  # handled by ProblemApi; here only without one
            return problem_response(exc.code or 500, exc.description or exc.name, request_id=g.get("request_id"))
        if isinstance(exc, OperationalError | InterfaceError):
            # The database is unreachable (a restart, a failover): the caller may retry the same request.
            log.warning("database unavailable: %s", getattr(exc, "orig", exc))
            return problem_response(
                503,
                "The database is unavailable for a moment; retry shortly.",
                code="database_unavailable",
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
                request_id=g.get("request_id"),
            )
        if isinstance(exc, DataError | OverflowError) or isinstance(getattr(exc, "orig", None), OverflowError):
            # A value the database cannot store, or a date so far out that date arithmetic overflows
            # (year 1 or 9999 sent as a filter): the caller's input, not our fault.
            log.warning("value out of range: %s", getattr(exc, "orig", exc))
            return problem_response(
                422,
                "A value is out of range or cannot be stored.",
                code="invalid_value",
                request_id=g.get("request_id"),
            )
        log.exception("unhandled error")
        return problem_response(500, "An internal error occurred.", request_id=g.get("request_id"))

    health = Blueprint("health", __name__)

    @health.get("/livez")
    def livez() -> Response:
        return jsonify(status="ok", service=settings.service)

    @health.get("/readyz")
    def readyz() -> tuple[Response, int]:
        checks: dict[str, str] = {}
        ok = True
        for name, check in [("database", db.ping), *readiness_checks]:
            try:
                check()
                checks[name] = "ok"
            except Exception as exc:
                ok = False
                checks[name] = f"failed: {type(exc).__name__}"
        return jsonify(status="ok" if ok else "unavailable", service=settings.service, checks=checks), (
            200 if ok else 503
        )

    app.register_blueprint(health)


def current_identity() -> Identity:
    """The gateway-verified caller of the current request."""
    return g.identity


def now() -> dt.datetime:
    """The current instant by the app's clock (``settings.clock``), inside a request."""
    return current_app.extensions[EXTENSION]["settings"].clock()


def current_settings() -> Settings:
    """The app's settings, inside a request."""
    return current_app.extensions[EXTENSION]["settings"]


def db_session() -> Session:
    """The request's database session (closed at the end of the request)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION]["db"].sessionmaker()
    return g.db_session


def require(permission: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Refuse the view with 403 unless the caller holds ``permission`` (stated in the OpenAPI document too)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_identity().has(permission):
                raise Problem(403, f"Permission {permission!r} is required.", code="forbidden")
            return view(*args, **kwargs)

        setattr(wrapper, limits.PERMISSION_ATTR, permission)
        # Stated in the service's OpenAPI document, where the gateway's route table is checked against it.
        apidoc = copy.deepcopy(getattr(wrapper, "_apidoc", {}))
        apidoc.setdefault("manual_doc", {})[PERMISSION_EXTENSION] = permission
        setattr(wrapper, "_apidoc", apidoc)  # noqa: B010 - flask-smorest reads this attribute
        return wrapper

    return decorator
