"""Through a running gateway, a service's bytes reach only the caller they answer (issue #23): what a service sends
past its answer, an answer the gateway stops reading, a body the gateway refuses before forwarding."""

import asyncio

import pytest

from gateway.app import create_app
from tiepdan_common.errors import PROBLEM_CONTENT_TYPE

HELLO = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
STOLEN = b'{"visits": [{"id": 1, "citizen": "Nguyen Van A"}]}'
UNSOLICITED = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(STOLEN),
    STOLEN,
)


@pytest.fixture
def gateway_in_front_of(make_client, settings_factory, database_url, accounts, credentials):
    """``await gateway_in_front_of(service)``: a test client of a gateway sending intake's requests to ``service``,
    and ``auth(name)`` giving the bearer header of a test client."""

    async def make(service, **overrides):
        client = await make_client(create_app(settings_factory(database_url, {"intake": service.url}, **overrides)))

        async def auth(name: str) -> dict[str, str]:
            secret = credentials["clients"][name][0]
            resp = await client.post(
                "/api/v1/auth/token",
                json={"grant_type": "client_credentials", "client_id": name, "client_secret": secret},
            )
            assert resp.status == 200, await resp.text()
            return {"Authorization": f"Bearer {(await resp.json())['access_token']}"}

        return client, auth

    return make


@pytest.mark.parametrize(
    "plan",
    [
        pytest.param([HELLO + b"garbage"], id="longer-than-its-length"),
        pytest.param([HELLO + UNSOLICITED], id="a-second-answer-at-once"),
        pytest.param([HELLO + b"HTTP/1.1 200 OK\r\n"], id="half-an-answer-at-once"),
        pytest.param([HELLO, 0.1, UNSOLICITED], id="a-second-answer-later"),
        pytest.param([HELLO, 0.1, b"HTTP/1.1 200 OK\r\nContent-Length: 90\r\n\r\n"], id="half-an-answer-later"),
        pytest.param([HELLO[:-2], 0.05, b"lo" + UNSOLICITED], id="a-second-answer-with-the-end-of-the-first"),
    ],
)
async def test_what_a_service_sends_past_its_answer_never_answers_another_caller(
    gateway_in_front_of, raw_service, plan
):
    service = await raw_service(lambda c, i, head, body: plan if (c, i) == (0, 0) else raw_service.ok(b"good"))
    client, auth = await gateway_in_front_of(service)
    first = await client.get("/api/v1/intake/visits", headers=await auth("admin"))
    assert first.status in (200, 502)  # the offending answer itself may be refused as invalid
    await asyncio.sleep(0.3)  # the stray bytes reach the gateway's idle connection
    commune = await auth("commune-31684")
    for _ in range(2):
        resp = await client.get("/api/v1/intake/visits", headers=commune)
        assert resp.status == 200, await resp.text()
        assert await resp.read() == b"good"
    assert [(c, i) for c, i, _h, _b in service.requests][1:] == [(1, 0), (1, 1)]


async def test_an_answer_the_gateway_gave_up_on_never_reaches_another_caller(gateway_in_front_of, raw_service):
    """The rest of an answer that came too late for the read timeout (0.5 s for intake in the tests)."""
    late = [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 0.8, b"67890" + UNSOLICITED]
    service = await raw_service(lambda c, i, head, body: late if (c, i) == (0, 0) else raw_service.ok(b"good"))
    client, auth = await gateway_in_front_of(service)
    resp = await client.get("/api/v1/intake/visits", headers=await auth("admin"))
    assert resp.status == 504 and resp.content_type == PROBLEM_CONTENT_TYPE
    await asyncio.sleep(0.6)
    resp = await client.get("/api/v1/intake/visits", headers=await auth("commune-31684"))
    assert (resp.status, await resp.read()) == (200, b"good")
    assert [(c, i) for c, i, _h, _b in service.requests] == [(0, 0), (1, 0)]


async def test_a_streamed_answer_its_caller_left_never_reaches_another_caller(gateway_in_front_of, raw_service):
    size = 4 * 1024 * 1024  # over the gateway's buffer: streamed
    big = [b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size, b"y" * 65536, 0.3, b"y" * (size - 65536)]
    service = await raw_service(lambda c, i, head, body: big if (c, i) == (0, 0) else raw_service.ok(b"good"))
    client, auth = await gateway_in_front_of(service)
    resp = await client.get("/api/v1/intake/visits", headers=await auth("admin"))
    assert resp.status == 200
    await resp.content.readexactly(1000)
    resp.close()  # the caller goes away in the middle
    await asyncio.sleep(0.6)
    resp = await client.get("/api/v1/intake/visits", headers=await auth("commune-31684"))
    assert (resp.status, await resp.read()) == (200, b"good")
    assert [(c, i) for c, i, _h, _b in service.requests] == [(0, 0), (1, 0)]


async def test_a_body_over_the_limit_is_refused_before_the_service_and_spoils_no_connection(
    gateway_in_front_of, raw_service
):
    service = await raw_service(lambda c, i, head, body: raw_service.ok(b"good"))
    limit = 8 * 1024
    client, auth = await gateway_in_front_of(service, max_body_bytes=limit)
    admin = await auth("admin")
    assert (await client.get("/api/v1/intake/visits", headers=admin)).status == 200

    async def chunks():
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000

    for data in (b"x" * (limit + 1), chunks()):
        resp = await client.post("/api/v1/intake/visits", data=data, headers=admin)
        assert resp.status == 413 and (await resp.json(content_type=None))["code"] == "payload_too_large"
    resp = await client.post("/api/v1/intake/visits", data=b"x" * limit, headers=admin)
    assert (resp.status, await resp.read()) == (200, b"good")
    assert (await client.get("/api/v1/intake/visits", headers=admin)).status == 200
    assert service.methods == ["GET", "POST", "GET"]
    assert service.connections == 1  # the one connection stayed fit for use
    assert len(service.requests[1][3]) == limit


async def test_the_health_check_reads_no_answer_a_service_sent_unasked(gateway_in_front_of, raw_service):
    """A ready intake that then pushes a second ``200`` unasked, and becomes unready: the next check says so."""
    ready = [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0.1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]
    unready = [b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\nno"]
    service = await raw_service(lambda c, i, head, body: ready if (c, i) == (0, 0) else unready)
    client, _auth = await gateway_in_front_of(service)
    intake = (await (await client.get("/api/v1/health")).json())["services"]["intake"]
    assert intake["http_status"] == 200
    await asyncio.sleep(0.3)
    intake = (await (await client.get("/api/v1/health")).json())["services"]["intake"]
    assert intake["http_status"] == 503
    assert [(c, i) for c, i, _h, _b in service.requests] == [(0, 0), (1, 0)]
