"""Protection of the services: rate limits in Redis, the circuit breaker, public routes."""

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from gateway.app import create_app
from gateway.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, CircuitOpen
from gateway.proxy import GATEWAY_KEY
from gateway.ratelimit import RateLimited, RateLimiter
from gateway.settings import DEFAULT_UPSTREAMS
from tiepdan_common.errors import PROBLEM_CONTENT_TYPE
from tiepdan_common.testing import TEST_IDENTITY_KEY

GATEWAY_DIR = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


async def _problem(resp, status: int, code: str) -> dict:
    assert resp.status == status, await resp.text()
    assert resp.content_type == PROBLEM_CONTENT_TYPE
    body = await resp.json(content_type=None)
    assert body["status"] == status and body["code"] == code
    return body


async def _token(http, base: str, client_id: str, secret: str) -> str:
    resp = await http.post(
        f"{base}/api/v1/auth/token",
        json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert resp.status == 200, await resp.text()
    return (await resp.json())["access_token"]


# --------------------------------------------------------------------------- rate limiter


async def test_limiter_counts_in_redis_and_answers_retry_after():
    limiter = RateLimiter(REDIS_URL, window_seconds=3600, prefix=f"tiepdan:gateway-test:{uuid.uuid4().hex}:")
    await limiter.start()
    try:
        for _ in range(3):
            await limiter.hit("client:a", 3)
        with pytest.raises(RateLimited) as caught:
            await limiter.hit("client:a", 3)
        assert caught.value.status == 429
        assert 1 <= int(caught.value.headers["Retry-After"]) <= 3600
        await limiter.hit("client:b", 3)  # another key has its own count
        hits, left = await limiter.count("client:b")
        assert hits == 2 and 0 < left <= 3600
    finally:
        await limiter.close()


async def test_big_limits_are_counted_in_the_background_and_exactly_near_the_end():
    prefix = f"tiepdan:gateway-test:{uuid.uuid4().hex}:"
    first = RateLimiter(REDIS_URL, window_seconds=3600, prefix=prefix, flush_interval=0.01)
    second = RateLimiter(REDIS_URL, window_seconds=3600, prefix=prefix, flush_interval=0.01)
    await first.start()
    await second.start()
    calls = []
    real = first.count

    async def counting(key, hits=1):
        calls.append(hits)
        return await real(key, hits)

    first.count = counting
    try:
        for _ in range(50):
            await first.hit("client:a", 100)
        assert calls[0] == 1 and len(calls) == 1  # the first hit waits; the next 49 are sent later, together
        await asyncio.sleep(0.1)
        assert calls == [1, 49]
        for _ in range(40):
            await second.hit("client:a", 100)  # another process: learns the 50 at its first hit
        await asyncio.sleep(0.1)
        for _ in range(10):
            await first.hit("client:a", 100)  # still far from the limit as far as this process knows
        await asyncio.sleep(0.1)
        assert calls == [1, 49, 10]  # ... and it learns the total (100) when it sends them
        with pytest.raises(RateLimited):
            await first.hit("client:a", 100)  # within the slack: waits for Redis, 101 > 100
        assert calls[-1] == 1
        with pytest.raises(RateLimited):
            await first.hit("client:a", 100)
        assert len(calls) == 4  # refused here without asking Redis again
        with pytest.raises(RateLimited):
            await second.hit("client:a", 100)
        total, _left = await second.count("client:a", 0)
        assert total == 102
    finally:
        await first.close()
        await second.close()


async def test_limiter_fails_open_with_a_warning_when_redis_is_down(closed_port, caplog):
    limiter = RateLimiter(f"redis://127.0.0.1:{closed_port}/0", prefix="tiepdan:gateway-test:down:")
    await limiter.start()
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.ratelimit"):
            for _ in range(5):
                await limiter.hit("client:a", 1)  # never refused
        warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
        assert len(warnings) == 1
        assert await limiter.count("client:a") is None
    finally:
        await limiter.close()


async def test_flood_from_one_client_leaves_the_others_alone(
    make_client, database_url, accounts, upstreams, settings_factory
):
    urls = {name: str(server.make_url("")).rstrip("/") for name, server in upstreams.items()}
    settings = settings_factory(database_url, urls, rate_limits={"commune": 4, "district": 100})
    client = await make_client(create_app(settings))
    flooder = await _token(client, "", "commune-31684", "demo-secret-31684")
    other = await _token(client, "", "district-board", "demo-secret-board")
    statuses = []
    for _ in range(10):
        resp = await client.get("/api/v1/intake/visits", headers={"Authorization": f"Bearer {flooder}"})
        statuses.append(resp.status)
        if resp.status == 429:
            body = await _problem(resp, 429, "rate_limited")
            assert body["limit"] == 4
            assert int(resp.headers["Retry-After"]) >= 1
        ok = await client.get("/api/v1/intake/visits", headers={"Authorization": f"Bearer {other}"})
        assert ok.status == 200
    assert statuses == [200] * 4 + [429] * 6


async def test_token_endpoint_is_limited_per_address_and_client(make_client, database_url, accounts, settings_factory):
    client = await make_client(create_app(settings_factory(database_url, {}, rate_limit_token=3)))
    form = {"grant_type": "client_credentials", "client_id": "admin", "client_secret": "wrong"}
    for _ in range(3):
        assert (await client.post("/api/v1/auth/token", json=form)).status == 401
    resp = await client.post("/api/v1/auth/token", json={**form, "client_secret": "demo-secret-admin"})
    await _problem(resp, 429, "rate_limited")
    assert "Retry-After" in resp.headers
    # Another client id from the same address is counted apart.
    assert (
        await client.post(
            "/api/v1/auth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": "police-947",
                "client_secret": "demo-secret-police",
            },
        )
    ).status == 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gateway(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GATEWAY_DIR / "gunicorn.conf.py")],
        env={**env, "GATEWAY_BIND": f"127.0.0.1:{port}"},
        cwd=GATEWAY_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def _wait_live(http, base: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise AssertionError(f"gateway exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            async with http.get(f"{base}/livez") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("gateway did not start")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_limits_are_shared_by_gateway_processes(database_url, accounts, upstreams, closed_port):
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_IDENTITY_KEY": TEST_IDENTITY_KEY,
        "GATEWAY_IDENTITY_KEYS": TEST_IDENTITY_KEY,
        "GATEWAY_WORKERS": "1",
        "RATE_LIMIT_PREFIX": f"tiepdan:gateway-test:{uuid.uuid4().hex}:",
        "RATE_LIMIT_COMMUNE": "6",
        "RATE_LIMIT_WINDOW_SECONDS": "3600",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_PARALLELISM": "1",
        "LOG_LEVEL": "WARNING",
        **{f"{n.upper()}_URL": str(s.make_url("")).rstrip("/") for n, s in upstreams.items()},
    }
    ports = [free_port(), free_port()]
    procs = [_start_gateway(port, env) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        async with aiohttp.ClientSession() as http:
            for base, proc in zip(bases, procs, strict=True):
                await _wait_live(http, base, proc)
            flooder = await _token(http, bases[0], "commune-31684", "demo-secret-31684")
            other = await _token(http, bases[1], "district-board", "demo-secret-board")
            passed = 0
            for i in range(16):
                async with http.get(
                    f"{bases[i % 2]}/api/v1/intake/visits", headers={"Authorization": f"Bearer {flooder}"}
                ) as resp:
                    assert resp.status in (200, 429), await resp.text()
                    passed += resp.status == 200
                async with http.get(
                    f"{bases[(i + 1) % 2]}/api/v1/intake/visits", headers={"Authorization": f"Bearer {other}"}
                ) as resp:
                    assert resp.status == 200, await resp.text()
            assert passed == 6  # one count for both processes (each alone would have let 6 through)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --------------------------------------------------------------------------- circuit breaker


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_failures_in_a_row_and_probes_once():
    clock = _Clock()
    breaker = CircuitBreaker("intake", failures=3, cooldown=10, clock=clock)
    breaker.failure()
    breaker.failure()
    breaker.success()  # an answer resets the count
    for _ in range(2):
        breaker.before()
        breaker.failure()
    assert breaker.state == CLOSED
    breaker.before()
    breaker.failure()
    assert breaker.state == OPEN
    with pytest.raises(CircuitOpen) as caught:
        breaker.before()
    assert caught.value.status == 503 and caught.value.headers["Retry-After"] == "10"
    clock.now += 10
    assert breaker.state == HALF_OPEN
    breaker.before()  # the probe
    with pytest.raises(CircuitOpen):
        breaker.before()  # others wait for its outcome
    breaker.failure()
    assert breaker.state == OPEN
    clock.now += 10
    breaker.before()
    breaker.success()
    assert breaker.state == CLOSED
    breaker.before()


class _Service:
    """An echo service on a fixed port that can be killed and started again."""

    def __init__(self, app: web.Application, port: int) -> None:
        self.app, self.port, self.runner = app, port, None

    async def start(self) -> None:
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def kill(self) -> None:
        await self.runner.cleanup()
        self.runner = None


async def test_killed_service_gets_fast_503s_and_recovers(
    make_client, database_url, accounts, settings_factory, closed_port, make_echo_app
):
    service = _Service(make_echo_app("intake"), closed_port)
    await service.start()
    settings = settings_factory(
        database_url, {"intake": f"http://127.0.0.1:{closed_port}"}, breaker_failures=3, breaker_cooldown_seconds=0.3
    )
    client = await make_client(create_app(settings))
    gateway = client.server.app[GATEWAY_KEY]
    auth = {"Authorization": f"Bearer {await _token(client, '', 'admin', 'demo-secret-admin')}"}
    try:
        for _ in range(3):
            assert (await client.get("/api/v1/intake/visits", headers=auth)).status == 200
        await service.kill()
        bodies = []
        for _ in range(6):
            bodies.append(
                await _problem(await client.get("/api/v1/intake/visits", headers=auth), 503, "service_unavailable")
            )
        assert [b.get("circuit") for b in bodies] == [None] * 3 + ["open"] * 3
        assert gateway.breakers["intake"].state == OPEN
        assert gateway.breakers["intake"].failures == 3  # no connection tried while open
        health = await (await client.get("/api/v1/health")).json()
        assert health["services"]["intake"]["circuit"] == OPEN and health["services"]["roster"]["circuit"] == CLOSED
        # Other services are not affected.
        roster = await client.get("/api/v1/roster/agencies", headers=auth)
        assert roster.status == 503 and (await roster.json(content_type=None)).get("circuit") is None
        await service.start()
        await asyncio.sleep(0.35)
        assert gateway.breakers["intake"].state == HALF_OPEN
        assert (await client.get("/api/v1/intake/visits", headers=auth)).status == 200
        assert gateway.breakers["intake"].state == CLOSED
    finally:
        if service.runner is not None:
            await service.kill()


async def test_only_idempotent_requests_are_sent_again_when_a_kept_alive_connection_was_closed(
    make_client, database_url, accounts, settings_factory, raw_service
):
    """A service that closes each kept-alive connection at its second request, without answering."""
    from gateway import proxy

    service = await raw_service(lambda conn, index, head, body: raw_service.ok() if index == 0 else None)
    client = await make_client(create_app(settings_factory(database_url, {"intake": service.url})))
    auth = {"Authorization": f"Bearer {await _token(client, '', 'admin', 'demo-secret-admin')}"}

    assert (await client.get("/api/v1/intake/visits", headers=auth)).status == 200  # connection 0 opened
    await _problem(await client.post("/api/v1/intake/visits", json={}, headers=auth), 502, "bad_gateway")
    assert service.methods == ["GET", "POST"]  # closed under the POST, which is not sent again

    assert (await client.get("/api/v1/intake/visits", headers=auth)).status == 200  # connection 1
    assert (await client.get("/api/v1/intake/visits", headers=auth)).status == 200  # closed, sent again
    assert service.methods[2:] == ["GET", "GET", "GET"]
    resp = await client.post("/api/v1/intake/visits", json={}, headers={**auth, "Idempotency-Key": "k1"})
    assert resp.status == 200 and service.methods[5:] == ["POST", "POST"]
    assert [(c, i) for c, i, _h, _b in service.requests] == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0)]
    assert {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"} == proxy.IDEMPOTENT_METHODS


async def test_a_plain_post_closed_without_answer_is_not_sent_again(
    make_client, database_url, accounts, settings_factory, raw_service
):
    service = await raw_service(lambda conn, index, head, body: None)
    client = await make_client(create_app(settings_factory(database_url, {"intake": service.url})))
    auth = {"Authorization": f"Bearer {await _token(client, '', 'admin', 'demo-secret-admin')}"}
    await _problem(await client.post("/api/v1/intake/visits", json={}, headers=auth), 502, "bad_gateway")
    assert service.methods == ["POST"]
    await _problem(await client.get("/api/v1/intake/visits", headers=auth), 502, "bad_gateway")
    assert service.methods[1:] == ["GET", "GET"]  # idempotent: sent once more, then given up


async def test_invalid_answers_are_502_and_do_not_open_the_circuit(
    make_client, database_url, accounts, settings_factory, raw_service
):
    service = await raw_service(lambda conn, index, head, body: [b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n"])
    settings = settings_factory(database_url, {"intake": service.url}, breaker_failures=2)
    client = await make_client(create_app(settings))
    auth = {"Authorization": f"Bearer {await _token(client, '', 'admin', 'demo-secret-admin')}"}
    for _ in range(3):
        body = await _problem(await client.get("/api/v1/intake/visits", headers=auth), 502, "bad_gateway")
        assert body["service"] == "intake" and "circuit" not in body
    assert client.server.app[GATEWAY_KEY].breakers["intake"].state == CLOSED


# --------------------------------------------------------------------------- public routes


def _headers(echo: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in echo["headers"]:
        out.setdefault(name.lower(), []).append(value)
    return out


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/roster/calendar/5/s3cret.ics"),
        ("GET", "/api/v1/notify/ack/abc.def"),
        ("POST", "/api/v1/notify/ack/abc.def"),
        ("POST", "/api/v1/notify/sms/inbound"),
    ],
)
async def test_public_routes_pass_without_a_token_as_anonymous(client, method, path):
    resp = await client.request(
        method,
        path,
        headers={"X-Tiepdan-Identity": "forged", "X-Tiepdan-Anything": "x", "Authorization": "Bearer whatever"},
        json={},
    )
    assert resp.status in (200, 201), await resp.text()
    echo = await resp.json()
    assert echo["path"] == path.removeprefix("/api/v1/roster").removeprefix("/api/v1/notify")
    assert echo["identity"]["sub"] == "anonymous"
    assert echo["identity"]["kind"] == "service"
    assert not echo["identity"].get("perms") and not echo["identity"].get("roles")
    headers = _headers(echo)
    assert "authorization" not in headers and "x-tiepdan-anything" not in headers
    assert len(headers["x-tiepdan-identity"]) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/roster/calendar/5/s3cret"),
        ("GET", "/api/v1/roster/calendar/5/s3cret.ics/more"),
        ("DELETE", "/api/v1/notify/ack/abc"),
        ("GET", "/api/v1/notify/sms/inbound"),
        ("GET", "/api/v1/notify/ack"),
    ],
)
async def test_other_routes_still_need_a_token(client, method, path):
    await _problem(await client.request(method, path), 401, "unauthenticated")


async def test_public_routes_are_limited_per_address(make_client, database_url, accounts, upstreams, settings_factory):
    urls = {name: str(server.make_url("")).rstrip("/") for name, server in upstreams.items()}
    client = await make_client(create_app(settings_factory(database_url, urls, rate_limit_public=3)))
    statuses = [(await client.get("/api/v1/notify/ack/t")).status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_every_upstream_has_a_breaker(gateway):
    assert set(gateway.breakers) == set(DEFAULT_UPSTREAMS)


async def test_one_json_access_line_per_request(client, get_token, bearer, capsys):
    token = await get_token("admin")
    capsys.readouterr()
    resp = await client.get("/api/v1/intake/visits", headers={**bearer(token), "X-Request-ID": "req-42"})
    assert resp.status == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"tiepdan.access"' in line]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "req-42" and line["status"] == 200 and line["client"] == "admin"
    assert line["method"] == "GET" and line["path"] == "/api/v1/intake/visits" and line["service"] == "gateway"
    assert line["level"] == "INFO" and line["duration_ms"] >= 0
