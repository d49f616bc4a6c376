"""Protection of the services: the circuit breaker, requests sent again, invalid answers."""

import asyncio

import pytest
from aiohttp import web

from gateway.app import create_app
from gateway.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, CircuitOpen
from gateway.proxy import GATEWAY_KEY

from .checks import client_token, problem

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
    auth = {"Authorization": f"Bearer {await client_token(client, '', 'admin', 'demo-secret-admin')}"}
    try:
        for _ in range(3):
            assert (await client.get("/api/v1/intake/visits", headers=auth)).status == 200
        await service.kill()
        bodies = []
        for _ in range(6):
            bodies.append(
                await problem(await client.get("/api/v1/intake/visits", headers=auth), 503, "service_unavailable")
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
    auth = {"Authorization": f"Bearer {await client_token(client, '', 'admin', 'demo-secret-admin')}"}

    assert (await client.get("/api/v1/intake/visits", headers=auth)).status == 200  # connection 0 opened
    await problem(await client.post("/api/v1/intake/visits", json={}, headers=auth), 502, "bad_gateway")
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
    auth = {"Authorization": f"Bearer {await client_token(client, '', 'admin', 'demo-secret-admin')}"}
    await problem(await client.post("/api/v1/intake/visits", json={}, headers=auth), 502, "bad_gateway")
    assert service.methods == ["POST"]
    await problem(await client.get("/api/v1/intake/visits", headers=auth), 502, "bad_gateway")
    assert service.methods[1:] == ["GET", "GET"]  # idempotent: sent once more, then given up


async def test_invalid_answers_are_502_and_do_not_open_the_circuit(
    make_client, database_url, accounts, settings_factory, raw_service
):
    service = await raw_service(lambda conn, index, head, body: [b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n"])
    settings = settings_factory(database_url, {"intake": service.url}, breaker_failures=2)
    client = await make_client(create_app(settings))
    auth = {"Authorization": f"Bearer {await client_token(client, '', 'admin', 'demo-secret-admin')}"}
    for _ in range(3):
        body = await problem(await client.get("/api/v1/intake/visits", headers=auth), 502, "bad_gateway")
        assert body["service"] == "intake" and "circuit" not in body
    assert client.server.app[GATEWAY_KEY].breakers["intake"].state == CLOSED
