"""Problem documents (``application/problem+json``) as aiohttp responses.

Handlers raise :class:`tiepdan_common.errors.Problem`; the middleware turns it
into a response with :func:`problem_response`. The JSON itself always comes
from :func:`tiepdan_common.errors.problem_body`, like in the services.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from tiepdan_common.errors import PROBLEM_CONTENT_TYPE, Problem, problem_body

__all__ = ["Problem", "problem_from", "problem_response"]


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list | None = None,
    headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
    **extra: Any,
) -> web.Response:
    """A response carrying a problem document."""
    body = problem_body(status, detail, code=code, errors=errors, request_id=request_id, **extra)
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode(),
        content_type=PROBLEM_CONTENT_TYPE,
        charset="utf-8",
        headers=headers,
    )


def problem_from(exc: Problem, request_id: str | None = None) -> web.Response:
    """The response for a raised :class:`Problem`."""
    return problem_response(
        exc.status,
        exc.detail,
        code=exc.code,
        errors=exc.errors,
        headers=exc.headers,
        request_id=request_id,
        **exc.extra,
    )
