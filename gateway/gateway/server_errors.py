"""Answers aiohttp's server writes itself, without the gateway's middleware: problem+json, no echo, no banner.

aiohttp answers a request it cannot read (a header field over 8190 bytes, a malformed request line)
from its connection handler, before any middleware, as ``text/plain`` quoting the offending bytes;
and every answer carries ``Server: Python/3.x aiohttp/3.y`` unless one is set. This module replaces the
body of those answers with a problem document that quotes nothing, and names no software in ``Server``.
"""

from __future__ import annotations

import json

from aiohttp import web, web_protocol
from aiohttp.http_exceptions import LineTooLong

from tiepdan_common.errors import PROBLEM_CONTENT_TYPE, problem_body

SERVER = "tiepdan"
_original_handle_error = web_protocol.RequestHandler.handle_error


def _handle_error(
    self, request, status: int = 500, exc: BaseException | None = None, message: str | None = None
) -> web.StreamResponse:
    # The original logs the error and refuses when part of an answer was sent already.
    _original_handle_error(self, request, status, exc, message)
    if isinstance(exc, LineTooLong):
        status, detail = 431, "A header field or the request line is too long."
    elif status >= 500:
        detail = "An internal error occurred."
    else:
        detail = "The request could not be read as HTTP/1.1."
    body = problem_body(status, detail)
    response = web.Response(
        status=status, body=json.dumps(body).encode(), content_type=PROBLEM_CONTENT_TYPE, headers={"Server": SERVER}
    )
    response.force_close()
    return response


async def _name_no_software(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = SERVER


def install(app: web.Application) -> None:
    """Problem documents for the server's own errors; ``Server: tiepdan`` on every answer."""
    web_protocol.RequestHandler.handle_error = _handle_error  # one process, one gateway: patched once
    app.on_response_prepare.append(_name_no_software)
