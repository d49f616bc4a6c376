"""Errors as ``application/problem+json`` (RFC 9457): status, stable code, message, offending fields."""

from __future__ import annotations

from typing import Any

from flask import Response, json

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Stable machine-readable codes for the HTTP statuses services answer with.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    431: "header_fields_too_large",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        errors: list[dict] | None = None,
        headers: dict | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or STATUS_CODES.get(status, "error")
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra or {}


def field_error(field: str, message: str, status: int = 422, code: str = "validation_failed") -> Problem:
    """A validation problem naming one field."""
    return Problem(status, f"{field}: {message}", code=code, errors=[{"field": field, "message": message}])


def flatten_messages(messages: Any, prefix: str = "") -> list[dict]:
    """Turn marshmallow's nested error dict into a list of ``{field, message}``."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "form", "headers", "path", "view_args", "files") and not prefix:
                out.extend(flatten_messages(value, ""))
                continue
            if key == "_schema":
                name = prefix or "body"
            elif isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_messages(value, name))
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            out.extend({"field": prefix or "body", "message": m} for m in messages)
        else:
            for item in messages:
                out.extend(flatten_messages(item, prefix))
    else:
        out.append({"field": prefix or "body", "message": str(messages)})
    return out


def problem_body(
    status: int, detail: str, *, code: str | None = None, errors: list | None = None, **extra: Any
) -> dict:
    body = {
        "type": "about:blank",
        "title": code or STATUS_CODES.get(status, "error"),
        "status": status,
        "code": code or STATUS_CODES.get(status, "error"),
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(status: int, detail: str, *, headers: dict | None = None, **kwargs: Any) -> Response:
    """A Flask response carrying a problem document."""
    resp = Response(
        json.dumps(problem_body(status, detail, **kwargs), ensure_ascii=False),
        status=status,
        mimetype=PROBLEM_CONTENT_TYPE,
    )
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp
