"""Fixtures of the gateway tests: test accounts, stand-in services, a running gateway.

The migrated databases (``database_url``, SQLite and PostgreSQL; ``TIEPDAN_TEST_DATABASES`` picks one) are the
shared plugin's. ``async def`` tests run on the per-test event loop of the ``loop`` fixture (a few lines
below: aiohttp's and asyncio's pytest plugins are kept out by ``pytest.ini``).
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
from gateway.proxy import GATEWAY_KEY
from gateway.runtime import Gateway, make_account_store
from gateway.settings import DEFAULT_UPSTREAMS, GatewaySettings, UpstreamSettings, load_gateway_settings
from tiepdan_common.db import Database
from tiepdan_common.migrations import upgrade
from tiepdan_common.testing import TEST_IDENTITY_KEY

from .standins import CLOSE, RawService, echo_app, ok_answer

pytest_plugins = ["tiepdan_common.pytest_plugin"]

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
def prepare_database():
    """The shared plugin's ``database_url`` (SQLite and PostgreSQL) holds the gateway's tables."""
    return lambda url: upgrade(MIGRATIONS_PATH, url)


@pytest.fixture(scope="session")
def database_reset() -> str:
    """The PostgreSQL database is emptied after each test rather than copied for each: the tables are few."""
    return "truncate"


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


# --------------------------------------------------------------------------- stand-in services (standins.py)


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
