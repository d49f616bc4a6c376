"""The proxy's client of the services (aiohttp's, ``gateway.upstream``) against services that send exactly the
bytes of each test: what the proxy relies on, above all that no connection with unread bytes is used again."""

import asyncio

import pytest

from gateway.upstream import (
    BadAnswer,
    ConnectFailed,
    ConnectTimeout,
    Disconnected,
    Endpoint,
    ReadTimeout,
    UpstreamClient,
)


@pytest.fixture
def upstream(loop):
    clients = []

    async def make(**kwargs) -> UpstreamClient:
        client = UpstreamClient(**kwargs)
        await client.start()
        clients.append(client)
        return client

    yield make
    for client in clients:
        loop.run_until_complete(client.close())


async def _call(client, url, method="GET", body=None, *, read_timeout=2.0, connect_timeout=1.0, headers=()):
    answer = await client.request(
        method,
        Endpoint.from_url(url),
        "/x",
        list(headers),
        body,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    try:
        return answer.status, await UpstreamClient.read(answer)
    finally:
        answer.release()


def test_endpoint_from_url():
    e = Endpoint.from_url("http://127.0.0.1:5101")
    assert (e.base_url, e.host_header, e.base_path) == ("http://127.0.0.1:5101", "127.0.0.1:5101", "")
    e = Endpoint.from_url("https://intake.internal:443/base/")
    assert (e.base_url, e.host_header, e.base_path) == ("https://intake.internal", "intake.internal", "/base")
    assert Endpoint.from_url("http://[::1]:8080").host_header == "[::1]:8080"
    for bad in ("ftp://x", "http://", "intake:5101", "http://x:5101/?q=1", "http://u:p@x", "http://x:99999"):
        with pytest.raises(ValueError, match="URL"):
            Endpoint.from_url(bad)


async def test_connections_are_kept_and_reused(upstream, raw_service):
    service = await raw_service(lambda c, i, head, body: raw_service.ok(b"answer %d" % i))
    client = await upstream()
    for i in range(3):
        assert await _call(client, service.url) == (200, b"answer %d" % i)
    assert service.connections == 1


@pytest.mark.parametrize(
    "plan",
    [
        [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"],
        [b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],
    ],
)
async def test_a_connection_not_fit_for_another_request_is_closed(upstream, raw_service, plan):
    service = await raw_service(lambda c, i, head, body: plan)
    client = await upstream()
    for _ in range(2):
        assert await _call(client, service.url) == (200, b"ok")
    assert service.connections == 2


async def test_an_answer_read_only_in_part_closes_its_connection(upstream, raw_service):
    service = await raw_service(
        lambda c, i, head, body: [b"HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n", b"y" * 200000]
    )
    client = await upstream()
    answer = await client.request(
        "GET", Endpoint.from_url(service.url), "/x", [], None, connect_timeout=1, read_timeout=1
    )
    await answer.content.read(10)  # the caller went away
    answer.release()
    assert await _call(client, service.url) == (200, b"y" * 200000)
    assert service.connections == 2


async def test_an_answer_before_the_body_was_taken_closes_the_connection(upstream):
    """A service answering (413, say) from the head alone, the body not read: the connection is not reused."""
    connections = 0

    async def serve(reader, writer):
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 413 Too Large\r\nContent-Length: 5\r\n\r\nlarge")
        await writer.drain()
        await asyncio.sleep(0.3)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        client = await upstream()
        for _ in range(2):
            status, _body = await _call(client, url, "POST", b"z" * 20_000_000)
            assert status == 413
        assert connections == 2
    finally:
        server.close()
        await server.wait_closed()


async def test_framings_chunked_until_close_and_interim(upstream, raw_service):
    plans = {
        "chunked": [
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"5\r\nhello\r\n",
            b"6;name=value\r\n world\r\n",
            b"0",
            b"\r\nX-Trailer: 1\r\n\r\n",
        ],
        "until close": [
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
            b"hello",
            0.01,
            b" world",
            raw_service.CLOSE,
        ],
        "interim": [b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n", *raw_service.ok(b"hello world")],
    }
    client = await upstream()
    for plan in plans.values():
        service = await raw_service(lambda c, i, head, body, plan=plan: plan)
        assert await _call(client, service.url) == (200, b"hello world")


@pytest.mark.parametrize(
    "plan",
    [
        [b"HTTP/1.1 200 OK\r\nX: " + b"v" * 70000 + b"\r\n\r\n"],
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
        [b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n"],
        [b"SSH-2.0-OpenSSH\r\n\r\n"],
    ],
)
async def test_invalid_answers(upstream, raw_service, plan):
    service = await raw_service(lambda c, i, head, body: plan)
    with pytest.raises(BadAnswer) as caught:
        await _call(await upstream(), service.url)
    assert not caught.value.outage


async def test_refused_connection(upstream, closed_port):
    with pytest.raises(ConnectFailed) as caught:
        await _call(await upstream(), f"http://127.0.0.1:{closed_port}")
    assert caught.value.outage and not caught.value.answered


async def test_no_answer_in_time(upstream, raw_service):
    service = await raw_service(lambda c, i, head, body: [30])
    with pytest.raises(ReadTimeout) as caught:
        await _call(await upstream(), service.url, read_timeout=0.1)
    assert caught.value.outage and not caught.value.answered


async def test_a_steady_trickle_is_no_timeout(upstream, raw_service):
    service = await raw_service(
        lambda c, i, head, body: [
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
            *[x for b in b"12345" for x in (0.06, bytes([b]))],
        ]
    )
    assert await _call(await upstream(), service.url, read_timeout=0.2) == (200, b"12345")


async def test_closed_before_the_end(upstream, raw_service):
    service = await raw_service(
        lambda c, i, head, body: [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", raw_service.CLOSE]
    )
    with pytest.raises((Disconnected, BadAnswer)):
        await _call(await upstream(), service.url)


async def test_connections_in_use_are_limited_and_waiting_is_bounded(upstream, raw_service):
    service = await raw_service(lambda c, i, head, body: [0.05, *raw_service.ok()])
    client = await upstream(limit=2)
    answers = await asyncio.gather(*(_call(client, service.url) for _ in range(6)))
    assert answers == [(200, b"ok")] * 6 and service.max_open == 2
    slow = await raw_service(lambda c, i, head, body: [0.5, *raw_service.ok()])
    one = await upstream(limit=1)
    first = asyncio.ensure_future(_call(one, slow.url))
    await asyncio.sleep(0.05)
    with pytest.raises(ConnectTimeout):
        await _call(one, slow.url, connect_timeout=0.05)
    assert await first == (200, b"ok")


async def test_a_closed_client_refuses_requests(upstream, raw_service):
    service = await raw_service(lambda c, i, head, body: raw_service.ok())
    client = await upstream()
    await client.close()
    with pytest.raises(ConnectFailed):
        await _call(client, service.url)


# --------------------------------------------------------------------------- bytes beyond an answer (issue #23)

UNSOLICITED = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ngarbage"
HELLO = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"


@pytest.mark.parametrize(
    "plan",
    [
        pytest.param([HELLO + b"garbage"], id="longer-than-its-length"),
        pytest.param([HELLO + UNSOLICITED], id="a-second-answer-at-once"),
        pytest.param([HELLO + b"HTTP/1.1 200 OK\r\n"], id="half-an-answer-at-once"),
        pytest.param([HELLO + b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\ngarb"], id="a-body-cut-at-once"),
        pytest.param([HELLO, 0.1, b"garbage"], id="garbage-later"),
        pytest.param([HELLO, 0.1, UNSOLICITED], id="a-second-answer-later"),
        pytest.param([HELLO, 0.1, b"HTTP/1.1 200 OK\r\n"], id="half-an-answer-later"),
        pytest.param([HELLO, 0.1, b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\ngarb"], id="a-body-cut-later"),
        pytest.param(
            [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", 0.05, b"lo" + UNSOLICITED],
            id="a-second-answer-with-the-end-of-the-first",
        ),
    ],
)
async def test_bytes_sent_beyond_an_answer_never_reach_another_request(upstream, raw_service, plan):
    """Whatever a service sends past its answer, the next request gets its own answer on a clean connection."""
    service = await raw_service(lambda c, i, head, body: plan if (c, i) == (0, 0) else raw_service.ok(b"good"))
    client = await upstream()
    try:
        assert await _call(client, service.url) == (200, b"hello")
    except BadAnswer:
        pass  # the offending answer itself may be refused: its bytes are no valid HTTP
    await asyncio.sleep(0.3)  # the stray bytes reach the idle connection
    assert await _call(client, service.url) == (200, b"good")
    assert await _call(client, service.url) == (200, b"good")
    assert [(c, i) for c, i, _h, _b in service.requests][1:] == [(1, 0), (1, 1)]
