"""The stand-in gateway of the app's unit tests: a real local HTTP server answering canned JSON per route.

The app under test talks HTTP to it exactly as it does to the gateway (no mocks of the app's own code).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def fake_token(**claims) -> str:
    """An unsigned JWT-shaped token carrying ``claims`` (the app reads claims only for display)."""

    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'EdDSA'})}.{part(claims)}.c2ln"


class FakeGateway:
    """Routes ``(METHOD, path regex)`` to ``(status, json body)``; records every request it gets."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], tuple[int, object]] = {}
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                fake.requests.append(
                    {
                        "method": self.command,
                        "path": parsed.path,
                        "query": parse_qs(parsed.query),
                        "json": body,
                        "headers": dict(self.headers),
                    }
                )
                status, payload = fake.lookup(self.command, parsed.path)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                ctype = (
                    "application/octet-stream"
                    if isinstance(payload, bytes)
                    else ("application/json" if status < 400 else "application/problem+json")
                )
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def lookup(self, method: str, path: str) -> tuple[int, object]:
        for (m, pattern), answer in self.routes.items():
            if m == method and re.fullmatch(pattern, path):
                return answer
        return 403, {"status": 403, "code": "forbidden", "detail": "route not allowed"}

    def on(self, method: str, path: str, status: int, body: object) -> None:
        """Answer ``method path`` (a regex under /api/v1) with ``status`` and ``body``."""
        self.routes[(method, "/api/v1" + path)] = (status, body)

    def sent(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["path"] == "/api/v1" + path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# The reception board's permissions in the gateway's role table.
BOARD_PERMISSIONS = [
    "visits:read",
    "visits:write",
    "petitions:read",
    "petitions:write",
    "roster:read",
    "roster:write",
    "cases:read",
    "cases:write",
    "hotspots:read",
    "incidents:read",
    "alerts:read",
    "province_requests:read",
    "province_requests:write",
    "inbox:read",
    "deliveries:read",
]
