"""Stand-in services for the gateway tests: an echo service checking the forwarded identity, and a service
written by hand on a socket to send exactly the bytes a test needs."""

from __future__ import annotations

import asyncio

from aiohttp import web

from tiepdan_common.identity import IDENTITY_HEADER, IdentityError, IdentityVerifier
from tiepdan_common.testing import TEST_IDENTITY_KEY


def echo_app(name: str) -> web.Application:
    """A stand-in service: demands a valid gateway identity and echoes what it received."""
    verifier = IdentityVerifier([TEST_IDENTITY_KEY])
    app = web.Application(client_max_size=10 * 1024 * 1024)

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/readyz":
            return web.json_response({"status": "ok", "service": name})
        try:
            identity = verifier.verify(request.headers.get(IDENTITY_HEADER))
        except IdentityError as exc:
            return web.json_response(
                {"status": 401, "code": "unauthenticated", "detail": str(exc)},
                status=401,
                content_type="application/problem+json",
            )
        if request.path == "/openapi.json":
            return web.json_response(service_openapi(name))
        if request.path == "/empty":
            return web.Response(status=204)
        if request.path == "/created":
            location = request.query.get("location", "/visits/77")
            return web.json_response({"id": 77}, status=201, headers={"Location": location})
        if request.path == "/slow":
            await asyncio.sleep(float(request.query.get("seconds", "3")))
        if request.path == "/big":
            size = int(request.query.get("size", str(3 * 1024 * 1024)))
            response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
            await response.prepare(request)
            chunk = b"x" * 65536
            sent = 0
            while sent < size:
                part = chunk[: min(len(chunk), size - sent)]
                await response.write(part)
                sent += len(part)
            await response.write_eof()
            return response
        body = await request.read()
        return web.json_response(
            {
                "service": name,
                "method": request.method,
                "path": request.path,
                "raw": request.raw_path,
                "query": request.query_string,
                "body": body.decode("utf-8", "replace"),
                "headers": [[k, v] for k, v in request.headers.items()],
                "identity": identity.claims(),
            },
            status=201 if request.method == "POST" else 200,
            headers={"X-Upstream": name, "Keep-Alive": "timeout=5", "Set-Cookie": "upstream=1"},
        )

    app.router.add_route("*", "/{tail:.*}", handler)
    return app


def service_openapi(name: str) -> dict:
    """A small OpenAPI document such as flask-smorest would generate, with names every service uses."""
    return {
        "openapi": "3.1.0",
        "info": {"title": name, "version": "1.0"},
        "tags": [{"name": "things", "description": f"{name} things"}],
        "paths": {
            "/visits": {
                "get": {
                    "tags": ["things"],
                    "operationId": "list",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
                                }
                            },
                        },
                        "422": {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"},
                    },
                }
            },
            "/visits/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {"operationId": "get", "responses": {"200": {"description": "ok"}}},
            },
            "/readyz": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
        "components": {
            "schemas": {
                "Item": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Owner"}}},
                "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
            "responses": {"UNPROCESSABLE_ENTITY": {"description": "Unprocessable"}},
        },
    }


CLOSE = object()  # in a RawService answer: close the connection after what came before


class RawService:
    """An HTTP/1.1 service written by hand, to send exactly the bytes a test needs.

    ``answer(connection, index, head, body)`` is called for each request (``connection``: the number of the
    connection, ``index``: of the request on it) and returns what to do: ``None`` closes the connection without
    answering; otherwise a list of bytes to send, numbers of seconds to wait, and :data:`CLOSE`.
    """

    def __init__(self, answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[tuple[int, int, bytes, bytes]] = []
        self.open = 0
        self.max_open = 0
        self.server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    @property
    def methods(self) -> list[str]:
        return [head.split(b" ", 1)[0].decode() for _c, _i, head, _b in self.requests]

    async def start(self) -> RawService:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            for writer in list(self._writers):
                writer.close()
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = self.connections
        self.connections += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        self._writers.add(writer)
        try:
            index = 0
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                self.requests.append((number, index, head, body))
                plan = self.answer(number, index, head, body)
                index += 1
                if plan is None:
                    return
                for part in plan:
                    if part is CLOSE:
                        return
                    if isinstance(part, int | float):
                        await asyncio.sleep(part)
                    else:
                        writer.write(part)
                        await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open -= 1
            self._writers.discard(writer)
            writer.close()


def ok_answer(body: bytes = b"ok", *headers: bytes) -> list:
    """A plain ``200`` with ``body`` (and extra header lines)."""
    extra = b"".join(h + b"\r\n" for h in headers)
    return [b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)]
