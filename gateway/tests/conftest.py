"""Fixtures of the gateway tests: migrated databases (SQLite and PostgreSQL), echo upstreams, a running gateway.

``async def`` tests run on the per-test event loop of the ``loop`` fixture (a few
lines below instead of a pytest plugin, so the suite needs only pytest and aiohttp).
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import uuid
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from gateway.accounts import AccountStore
from gateway.app import create_app
from gateway.migrations import MIGRATIONS_PATH
from gateway.models import Base
from gateway.proxy import GATEWAY_KEY
from gateway.runtime import Gateway, make_account_store
from gateway.settings import DEFAULT_UPSTREAMS, GatewaySettings, UpstreamSettings, load_gateway_settings
from tiepdan_common.db import Database
from tiepdan_common.identity import IDENTITY_HEADER, IdentityError, IdentityVerifier
from tiepdan_common.migrations import upgrade
from tiepdan_common.testing import TEST_IDENTITY_KEY, postgres_database

# Cheap argon2 for tests; the production costs are the library defaults.
FAST_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}

# Accounts every gateway test starts with: client id / user name -> secret or password.
CLIENTS = {
    "commune-31684": ("demo-secret-31684", "commune", "31684", ()),
    "police-947": ("demo-secret-police", "police", "947", ()),
    "district-board": ("demo-secret-board", "district", "947", ("board",)),
    "province-94": ("demo-secret-province", "province", "94", ()),
    "admin": ("demo-secret-admin", "admin", "947", ()),
    "svc-notify": ("demo-secret-svc-notify", "service", "947", ("service",)),
}
USERS = {
    "btcd-01": ("demo-btcd-01", "district", ("board",), "btcd-01", "Nguyễn Văn An"),
    "ttr-01": ("demo-ttr-01", "district", ("inspector",), "ttr-01", "Phạm Minh Đức"),
    "ca-01": ("demo-ca-01", "police", ("police",), "ca-01", "Lâm Văn Phúc"),
}

# A service that reads slowly: its read timeout is short in the test settings.
SLOW_READ_TIMEOUT = 0.5


def free_port() -> int:
    """A TCP port nobody listens on (bound, read, released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """One throwaway PostgreSQL database for the session, migrated once (emptied between tests)."""
    with postgres_database("gateway_test") as url:
        upgrade(MIGRATIONS_PATH, url)
        yield url


def _empty(url: str) -> None:
    db = Database(url)
    try:
        with db.session() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())
    finally:
        db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A migrated, empty gateway database: SQLite in a temporary folder, or the session's PostgreSQL one."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gateway.db'}"
        upgrade(MIGRATIONS_PATH, url)
        yield url
    else:
        url = request.getfixturevalue("postgres_url")
        _empty(url)
        yield url
        _empty(url)


def make_settings(database_url: str, upstream_urls: dict[str, str], **overrides) -> GatewaySettings:
    """Test settings: the test identity key, fast hashing, the given upstreams."""
    upstreams = tuple(
        UpstreamSettings(
            name=name,
            url=upstream_urls.get(name, f"http://127.0.0.1:{free_port()}"),
            connect_timeout=1.0,
            read_timeout=SLOW_READ_TIMEOUT if name == "intake" else 5.0,
        )
        for name in DEFAULT_UPSTREAMS
    )
    values = {
        "database_url": database_url,
        "identity_keys": (TEST_IDENTITY_KEY,),
        "upstreams": upstreams,
        "max_body_bytes": 64 * 1024,
        "openapi_cache_seconds": 0.0,
        # Counters of this test only (the real Redis, a name of its own).
        "rate_limit_prefix": f"tiepdan:gateway-test:{uuid.uuid4().hex}:",
        "rate_limit_window_seconds": 3600,  # windows are aligned on the clock: no test straddles two
        **FAST_ARGON2,
    }
    values.update(overrides)
    return load_gateway_settings(values)


@pytest.fixture
def accounts(database_url) -> AccountStore:
    """The account store of the test database, holding :data:`CLIENTS` and :data:`USERS`."""
    settings = make_settings(database_url, {})
    db = Database(database_url)
    store = make_account_store(settings, db)
    for client_id, (secret, kind, unit, roles) in CLIENTS.items():
        store.create_client(client_id, kind=kind, display_name=client_id, unit=unit, roles=roles, secret=secret)
    for username, (password, kind, roles, code, name) in USERS.items():
        store.create_user(
            username, password=password, full_name=name, kind=kind, unit="947", roles=roles, officer_code=code
        )
    yield store
    db.dispose()


# --------------------------------------------------------------------------- event loop


@pytest.fixture(autouse=True)
def loop():
    """A fresh event loop for each test, closed after it."""
    event_loop = asyncio.new_event_loop()
    asyncio.set_event_loop(event_loop)
    yield event_loop
    pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    event_loop.run_until_complete(event_loop.shutdown_asyncgens())
    event_loop.close()
    asyncio.set_event_loop(None)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests to completion on the test's loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    pyfuncitem.funcargs["loop"].run_until_complete(pyfuncitem.obj(**kwargs))
    return True


@pytest.fixture
def make_server(loop):
    """``await make_server(app)``: a started test server, closed after the test."""
    servers: list[TestServer] = []

    async def make(app: web.Application) -> TestServer:
        server = TestServer(app)
        await server.start_server()
        servers.append(server)
        return server

    yield make
    for server in reversed(servers):
        loop.run_until_complete(server.close())


@pytest.fixture
def make_client(loop):
    """``await make_client(app)``: a test client of a started app, closed after the test."""
    clients: list[TestClient] = []

    async def make(app: web.Application) -> TestClient:
        test_client = TestClient(TestServer(app))
        await test_client.start_server()
        clients.append(test_client)
        return test_client

    yield make
    for test_client in reversed(clients):
        loop.run_until_complete(test_client.close())


# --------------------------------------------------------------------------- echo upstreams


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


@pytest.fixture
def upstreams(loop, make_server) -> dict[str, TestServer]:
    """Echo services for every upstream name (started servers, by name)."""
    return {name: loop.run_until_complete(make_server(echo_app(name))) for name in DEFAULT_UPSTREAMS}


# --------------------------------------------------------------------------- the gateway


@pytest.fixture
def gateway_settings(database_url, upstreams) -> GatewaySettings:
    """Settings of a gateway in front of the echo services."""
    urls = {name: str(server.make_url("")).rstrip("/") for name, server in upstreams.items()}
    return make_settings(database_url, urls)


@pytest.fixture
def client(loop, make_client, gateway_settings, accounts) -> TestClient:
    """A test client of a running gateway, with the test accounts in its database."""
    return loop.run_until_complete(make_client(create_app(gateway_settings)))


@pytest.fixture
def gateway(client) -> Gateway:
    """The running gateway's state."""
    return client.server.app[GATEWAY_KEY]


@pytest.fixture
def get_token(client) -> Callable[..., Awaitable[str]]:
    """``await get_token("admin")``: a token for a test client or officer (by name)."""

    async def get(name: str) -> str:
        if name in CLIENTS:
            data = {"grant_type": "client_credentials", "client_id": name, "client_secret": CLIENTS[name][0]}
        else:
            data = {"grant_type": "password", "username": name, "password": USERS[name][0]}
        resp = await client.post("/api/v1/auth/token", json=data)
        assert resp.status == 200, await resp.text()
        return (await resp.json())["access_token"]

    return get


@pytest.fixture
def bearer():
    """``bearer(token)``: the Authorization header for a token."""
    return lambda token: {"Authorization": f"Bearer {token}"}


@pytest.fixture
def credentials() -> dict:
    """The test accounts: ``{"clients": CLIENTS, "users": USERS}``."""
    return {"clients": CLIENTS, "users": USERS}


@pytest.fixture
def settings_factory() -> Callable[..., GatewaySettings]:
    """``settings_factory(database_url, {name: url}, **overrides)``: test settings."""
    return make_settings


@pytest.fixture
def make_echo_app() -> Callable[[str], web.Application]:
    """``make_echo_app(name)``: a new stand-in service application (see :func:`echo_app`)."""
    return echo_app


@pytest.fixture
def closed_port() -> int:
    """A local port where nothing listens."""
    return free_port()


# --------------------------------------------------------------------------- hand-written HTTP services


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


@pytest.fixture
def raw_service(loop):
    """``await raw_service(answer)``: a started :class:`RawService`, closed after the test
    (``raw_service.CLOSE`` and ``raw_service.ok(body, *header_lines)`` help write answers)."""
    services: list[RawService] = []

    async def make(answer) -> RawService:
        service = await RawService(answer).start()
        services.append(service)
        return service

    make.CLOSE = CLOSE
    make.ok = ok_answer
    yield make
    for service in services:
        loop.run_until_complete(service.close())
