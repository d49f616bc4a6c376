"""Limits every service applies to a request body before any work: JSON nesting depth and media type.

* A JSON body nested deeper than ``JSON_MAX_DEPTH`` (32) levels is a 400 ``json_too_deep`` naming the
  top-level field it sits in (or ``body``): Python's parser would recurse until it fails, a 500.
  The size limit is Flask's ``MAX_CONTENT_LENGTH`` (413).
* A JSON string anywhere in a body holding a control character (an escape of U+0000 to U+001F but tab,
  line feed and carriage return, U+007F to U+009F, ``\\b``, ``\\f``) is a 422 naming the top-level field,
  as :class:`tiepdan_common.schemas.Text` refuses them: no NUL reaches a field that is not ``Text``.
* A write to a view that documents a JSON body (flask-smorest's ``@blp.arguments`` in the ``json``
  location) and carries a body of another media type is a 415 ``unsupported_media_type`` naming the
  types it takes; webargs would otherwise ignore that body. A view that documents no body takes a POST
  without one (an action), and whatever it is sent is not parsed. ``@accepts(...)`` adds media types
  a view reads itself. A public view (no ``require``: a provider's callback, a browser's form) takes
  ``application/x-www-form-urlencoded`` too, as providers and browsers post forms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from .errors import Problem

JSON_MAX_DEPTH = 32
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXTRA_TYPES_ATTR = "_tiepdan_accepts"
PERMISSION_ATTR = "_tiepdan_permission"  # set by ``web.require`` on the views it guards
FORM = "application/x-www-form-urlencoded"

V = TypeVar("V", bound=Callable[..., Any])

# A JSON string (with a ':' after it when it is a key), or a bracket. Brackets inside strings are skipped.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"\s*:?|[\[\]{}]')
# An escape of a control character, after an even number of backslashes (``\\\\u0000`` is text, not NUL).
_CONTROL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\(?:u00(?:0[0-8bcefBCEF]|1[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])|[bf])")
_OPENING = frozenset(b"[{")
_CLOSING = frozenset(b"]}")


def is_json(mimetype: str) -> bool:
    """``application/json`` or any ``+json`` type, as webargs decides."""
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def nesting_error(body: bytes, max_depth: int = JSON_MAX_DEPTH) -> str | None:
    """The top-level field (or ``body``) where ``body`` nests deeper than ``max_depth``; None if it does not.

    Counts brackets outside strings without parsing; a body with fewer brackets than the limit is
    not scanned at all (the usual case costs two ``bytes.count``)."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return None
    depth = 0
    key: bytes | None = None
    for match in _TOKENS.finditer(body):
        token = match.group()
        first = token[0]
        if first in _OPENING:
            depth += 1
            if depth > max_depth:
                return _field_name(key) if key is not None else "body"
        elif first in _CLOSING:
            depth -= 1
            if depth <= 1:
                key = None
        elif depth == 1 and token.endswith(b":"):
            key = token
    return None


def nesting_problem(body: bytes, max_depth: int = JSON_MAX_DEPTH) -> Problem | None:
    """The 400 ``json_too_deep`` problem naming the field, when ``body`` nests deeper than ``max_depth``."""
    field = nesting_error(body, max_depth)
    if field is None:
        return None
    message = f"nested deeper than {max_depth} levels"
    return Problem(400, f"{field}: {message}", code="json_too_deep", errors=[{"field": field, "message": message}])


def control_character_field(body: bytes) -> str | None:
    """The top-level field (or ``body``) whose strings hold an escaped control character; None if none does."""
    found = _CONTROL_ESCAPE.search(body)
    if found is None:
        return None
    depth = 0
    key: bytes | None = None
    for match in _TOKENS.finditer(body, 0, found.start()):
        token = match.group()
        first = token[0]
        if first in _OPENING:
            depth += 1
        elif first in _CLOSING:
            depth -= 1
            if depth <= 1:
                key = None
        elif depth == 1 and token.endswith(b":"):
            key = token
    return _field_name(key) if key is not None and depth >= 1 else "body"


def _field_name(key_token: bytes) -> str:
    raw = key_token.rstrip(b": \t\r\n")
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace").strip('"')


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body too deep for the parser is a 400 (``request.get_json``), never a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply") from None


def accepts(*media_types: str) -> Callable[[V], V]:
    """Let a view that documents a JSON body take these media types too (it reads them itself)."""

    def decorator(view: V) -> V:
        setattr(view, EXTRA_TYPES_ATTR, (*getattr(view, EXTRA_TYPES_ATTR, ()), *media_types))
        return view

    return decorator


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _documented_locations(view: Callable[..., Any]) -> set[str]:
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", ())
    return {p.get("in") for p in parameters}


def check_body(app: Flask) -> None:
    """Refuse a body of the wrong media type, or JSON nested too deeply (before the view runs)."""
    if request.method not in WRITE_METHODS or not _has_body():
        return
    mimetype = request.mimetype
    view = app.view_functions.get(request.endpoint) if request.endpoint else None
    locations = _documented_locations(view) if view is not None else set()
    if "json" in locations and not is_json(mimetype):
        extra = tuple(getattr(view, EXTRA_TYPES_ATTR, ()))
        if not hasattr(view, PERMISSION_ATTR) and FORM not in extra:
            extra += (FORM,)
        if mimetype not in extra:
            taken = ", ".join(("application/json", *extra))
            raise Problem(
                415,
                f"This route takes a body of type {taken}, not {mimetype or 'none'}.",
                code="unsupported_media_type",
                extra={"accepted": ["application/json", *extra]},
            )
    if is_json(mimetype):
        max_depth = app.config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH)
        body = request.get_data(cache=True)
        problem = nesting_problem(body, max_depth)
        if problem is not None:
            raise problem
        field = control_character_field(body)
        if field is not None:
            message = "Contains control characters."
            raise Problem(422, f"{field}: {message}", errors=[{"field": field, "message": message}])


def install(app: Flask) -> None:
    """Check every request's body before its view (after the identity check), and parse JSON boundedly."""
    app.json = BoundedJSONProvider(app)
    app.json.ensure_ascii = False
    app.before_request(lambda: check_body(app))
