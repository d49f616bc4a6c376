"""The proxy's HTTP/1.1 client (``gateway.upstream``) against services that send exactly the bytes of each test."""

import asyncio

import pytest

from gateway.upstream import (
    PAUSE_ABOVE,
    BadAnswer,
    ConnectFailed,
    ConnectTimeout,
    Disconnected,
    Endpoint,
    ReadTimeout,
    UpstreamPool,
    _Connection,
    body_framing,
    parse_head,
)

GET = b"GET /x HTTP/1.1\r\nHost: s\r\n\r\n"
HEAD = b"HEAD /x HTTP/1.1\r\nHost: s\r\n\r\n"


async def _request(pool, service, head=GET, body=None, *, read_timeout=2.0, buffer_limit=1024 * 1024,
                   connect_timeout=1.0):
    return await pool.request(Endpoint.from_url(service.url) if not isinstance(service, Endpoint) else service,
                              head, body, head_request=head.startswith(b"HEAD "), connect_timeout=connect_timeout,
                              read_timeout=read_timeout, buffer_limit=buffer_limit)


async def _body(answer) -> bytes:
    parts = [chunk async for chunk in answer.chunks()]
    answer.release()
    return b"".join(parts)


@pytest.fixture
def pool(loop):
    pools = []

    def make(**kwargs) -> UpstreamPool:
        pools.append(UpstreamPool(**kwargs))
        return pools[-1]

    yield make
    for p in pools:
        loop.run_until_complete(p.close())


# --------------------------------------------------------------------------- addresses


def test_endpoint_from_url():
    e = Endpoint.from_url("http://127.0.0.1:5101")
    assert (e.host, e.port, e.tls, e.host_header, e.base_path) == ("127.0.0.1", 5101, False, b"127.0.0.1:5101", "")
    e = Endpoint.from_url("https://intake.internal/base/")
    assert (e.port, e.tls, e.host_header, e.base_path) == (443, True, b"intake.internal", "/base")
    assert Endpoint.from_url("http://[::1]:8080").host_header == b"[::1]:8080"
    assert Endpoint.from_url("http://intake").port == 80
    for bad in ("ftp://x", "http://", "intake:5101", "http://x:5101/?q=1", "http://u:p@x"):
        with pytest.raises(ValueError, match="URL"):
            Endpoint.from_url(bad)


# --------------------------------------------------------------------------- heads and framing


def test_parse_head():
    minor, status, reason, fields = parse_head(
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
        b"X-Empty:\r\nX-Spaces: \t v \t\r\nX-Name: Nguy\xe1\xbb\x85n")
    assert (minor, status, reason) == (1, 201, "Created")
    assert fields == [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
                      ("X-Empty", ""), ("X-Spaces", "v"), ("X-Name", "Nguyễn")]
    assert parse_head(b"HTTP/1.0 204")[:3] == (0, 204, "")
    assert parse_head(b"HTTP/1.1 200 ")[2] == ""


@pytest.mark.parametrize("head", [
    b"HTTP/2 200 OK", b"HTTP/1.1 20 OK", b"HTTP/1.1 099 x", b"ICY 200 OK", b"HTTP/1.1 200 OK\r\nBad Name: x",
    b"HTTP/1.1 200 OK\r\nName : x", b"HTTP/1.1 200 OK\r\nA: 1\r\n folded", b"HTTP/1.1 200 OK\r\n: x",
    b"HTTP/1.1 200 OK\r\nA: x\x00y", b"HTTP/1.1 200 OK\r\nA: x\ny",
])
def test_invalid_heads_are_refused(head):
    with pytest.raises(BadAnswer):
        parse_head(head)


@pytest.mark.parametrize(("head_request", "minor", "status", "fields", "expected"), [
    (False, 1, 200, [("Content-Length", "12")], (1, 12, True)),
    (False, 1, 200, [("content-length", "12, 12")], (1, 12, True)),
    (False, 1, 200, [("Content-Length", "12"), ("Content-Length", "12")], (1, 12, True)),
    (False, 1, 200, [("Transfer-Encoding", "chunked")], (2, 0, True)),
    (False, 1, 200, [("Transfer-Encoding", "gzip, chunked")], (2, 0, True)),
    (False, 1, 200, [("Transfer-Encoding", "gzip")], (3, 0, False)),
    (False, 1, 200, [], (3, 0, False)),
    (False, 1, 200, [("Content-Length", "3"), ("Connection", "close")], (1, 3, False)),
    (False, 0, 200, [("Content-Length", "3")], (1, 3, False)),
    (False, 0, 200, [("Content-Length", "3"), ("Connection", "Keep-Alive")], (1, 3, True)),
    (True, 1, 200, [("Content-Length", "3")], (0, 0, True)),
    (False, 1, 204, [], (0, 0, True)),
    (False, 1, 304, [("Content-Length", "99")], (0, 0, True)),
])
def test_body_framing(head_request, minor, status, fields, expected):
    assert body_framing(head_request, minor, status, fields) == expected


@pytest.mark.parametrize("fields", [
    [("Content-Length", "1"), ("Content-Length", "2")], [("Content-Length", "1, 2")], [("Content-Length", "-1")],
    [("Content-Length", "1e3")], [("Content-Length", "٣")], [("Content-Length", "")],
    [("Content-Length", "3"), ("Transfer-Encoding", "chunked")],
])
def test_invalid_lengths_are_refused(fields):
    with pytest.raises(BadAnswer):
        body_framing(False, 1, 200, fields)


# --------------------------------------------------------------------------- answers


async def test_small_answer_is_read_whole_and_the_connection_reused(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: raw_service.ok(b"answer %d" % i, b"X-A: 1", b"X-A: 2"))
    p = pool()
    for i in range(3):
        answer = await _request(p, service)
        assert (answer.status, answer.reason, answer.body, answer.content_length) == (200, "OK", b"answer %d" % i, 8)
        assert answer.headers == [("Content-Length", "8"), ("X-A", "1"), ("X-A", "2")]
        answer.release()
    assert service.connections == 1 and p.idle_count() == 1 and p.in_use == 0


async def test_request_body_is_sent(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: raw_service.ok(body[::-1]))
    answer = await _request(pool(), service, b"POST /x HTTP/1.1\r\nHost: s\r\nContent-Length: 3\r\n\r\n", b"abc")
    assert answer.body == b"cba"


async def test_answer_in_pieces(pool, raw_service):
    whole = raw_service.ok(b"0123456789" * 50, b"X-Long: " + b"v" * 300)[0]
    service = await raw_service(lambda c, i, head, body: [x for b in whole for x in (bytes([b]), 0.0)])
    answer = await _request(pool(), service)
    assert answer.body == b"0123456789" * 50 and answer.headers[-1] == ("X-Long", "v" * 300)


async def test_interim_answers_are_skipped(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n", b"HTTP/1.1 100 Continue\r\n\r\n", *raw_service.ok()])
    answer = await _request(pool(), service)
    assert answer.status == 200 and answer.body == b"ok"


async def test_answers_without_body(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [
        b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" if head.startswith(b"HEAD") else
        b"HTTP/1.1 204 No Content\r\n\r\n"])
    p = pool()
    answer = await _request(p, service, HEAD)
    assert (answer.status, answer.body, await _body(answer)) == (200, b"", b"")
    answer = await _request(p, service)
    assert (answer.status, answer.body) == (204, b"")
    assert service.connections == 1


async def test_large_answer_is_streamed_with_flow_control(pool, raw_service, monkeypatch):
    pauses = []
    real_pause = _Connection.pause
    monkeypatch.setattr(_Connection, "pause", lambda self: pauses.append(1) or real_pause(self))
    size = 3 * PAUSE_ABOVE + 12345
    service = await raw_service(lambda c, i, head, body: [
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size, *[b"y" * 65536] * (size // 65536),
        b"y" * (size % 65536)])
    p = pool()
    answer = await _request(p, service, buffer_limit=1000)
    assert answer.body is None and answer.content_length == size
    received = 0
    async for chunk in answer.chunks():
        received += len(chunk)
        await asyncio.sleep(0.001)  # a slow caller: reading from the service pauses and resumes
    answer.release()
    assert received == size and pauses
    assert p.idle_count() == 1  # read to its end: reusable


async def test_chunked_answer(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"5\r\nhello\r\n",
        b"6;name=value\r\n world\r\n", b"0", b"\r\nX-Trailer: 1\r\n\r\n"])
    p = pool()
    for _ in range(2):
        answer = await _request(p, service)
        assert answer.content_length is None and await _body(answer) == b"hello world"
    assert service.connections == 1


async def test_chunked_answer_without_trailers_byte_by_byte(pool, raw_service):
    whole = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n"
    service = await raw_service(lambda c, i, head, body: [x for b in whole for x in (bytes([b]), 0.0)])
    p = pool()
    assert await _body(await _request(p, service)) == b"0123456789x"
    assert await _body(await _request(p, service)) == b"0123456789x"
    assert service.connections == 1


async def test_answer_until_close(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", b"first ", 0.01, b"second", raw_service.CLOSE])
    p = pool()
    assert await _body(await _request(p, service)) == b"first second"
    assert await _body(await _request(p, service)) == b"first second"
    assert service.connections == 2 and p.idle_count() == 0


@pytest.mark.parametrize("plan", [
    [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"],
    [b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],
    [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"],
])
async def test_connections_not_fit_for_another_request_are_closed(pool, raw_service, plan):
    service = await raw_service(lambda c, i, head, body: plan)
    p = pool()
    for _ in range(2):
        assert (await _request(p, service)).body == b"ok"
    assert service.connections == 2 and p.idle_count() == 0


@pytest.mark.parametrize("plan", [
    [b"HTTP/1.1 200 OK\r\nX: " + b"v" * 70000 + b"\r\n\r\n"],
    [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
    [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX"],
    [b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"],
    [b"SSH-2.0-OpenSSH\r\n\r\n"],
])
async def test_invalid_answers(pool, raw_service, plan):
    service = await raw_service(lambda c, i, head, body: plan)
    p = pool()
    with pytest.raises(BadAnswer) as caught:
        await _body(await _request(p, service, buffer_limit=0))
    assert not caught.value.outage
    assert p.in_use == 0 and p.idle_count() == 0


# --------------------------------------------------------------------------- failures


async def test_refused_connection(pool, closed_port):
    with pytest.raises(ConnectFailed) as caught:
        await _request(pool(), Endpoint.from_url(f"http://127.0.0.1:{closed_port}"))
    assert caught.value.outage and not caught.value.answered and not caught.value.retryable


async def test_connect_timeout(pool, raw_service, monkeypatch):
    service = await raw_service(lambda c, i, head, body: raw_service.ok())
    loop = asyncio.get_running_loop()

    async def never(*args, **kwargs):
        await asyncio.sleep(10)

    monkeypatch.setattr(loop, "create_connection", never)
    with pytest.raises(ConnectTimeout):
        await _request(pool(), service, connect_timeout=0.05)


async def test_no_answer_in_time(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [30])
    p = pool()
    with pytest.raises(ReadTimeout) as caught:
        await _request(p, service, read_timeout=0.1)
    assert caught.value.outage and not caught.value.answered
    assert p.in_use == 0 and p.idle_count() == 0


async def test_body_stops_coming(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 30])
    p = pool()
    with pytest.raises(ReadTimeout) as caught:
        await _request(p, service, read_timeout=0.1)
    assert caught.value.answered
    answer = await _request(p, service, read_timeout=0.1, buffer_limit=5)  # streamed: fails while reading
    with pytest.raises(ReadTimeout):
        await _body(answer)


async def test_a_steady_trickle_is_no_timeout(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", *[x for b in b"12345" for x in (0.06, bytes([b]))]])
    answer = await _request(pool(), service, read_timeout=0.1)
    assert answer.body == b"12345"


async def test_closed_before_the_end(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", raw_service.CLOSE])
    with pytest.raises(Disconnected) as caught:
        await _request(pool(), service)
    assert caught.value.answered and not caught.value.retryable


async def test_reused_connection_closed_under_a_request_is_retryable(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: raw_service.ok() if i == 0 else None)
    p = pool()
    assert (await _request(p, service)).body == b"ok"
    with pytest.raises(Disconnected) as caught:
        await _request(p, service)
    assert caught.value.retryable and not caught.value.answered
    silent = await raw_service(lambda c, i, head, body: None)
    with pytest.raises(Disconnected) as caught:  # a fresh connection: the service got the request, and said nothing
        await _request(p, silent)
    assert not caught.value.retryable and caught.value.outage


async def test_idle_connection_closed_by_the_service_leaves_the_pool(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [*raw_service.ok(), 0.05, raw_service.CLOSE])
    p = pool()
    assert (await _request(p, service)).body == b"ok"
    assert p.idle_count() == 1
    await asyncio.sleep(0.2)
    assert p.idle_count() == 0
    assert (await _request(p, service)).body == b"ok"
    assert service.connections == 2


async def test_unasked_bytes_close_an_idle_connection(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [*raw_service.ok(), 0.05, b"HTTP/1.1 200 OK\r\n"])
    p = pool()
    await _request(p, service)
    await asyncio.sleep(0.2)
    assert p.idle_count() == 0


async def test_idle_connections_expire(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: raw_service.ok())
    p = pool(keepalive=0.1)
    await _request(p, service)
    assert p.idle_count() == 1
    await asyncio.sleep(0.35)
    assert p.idle_count() == 0 and service.open == 0
    await _request(p, service)
    assert service.connections == 2


async def test_connections_in_use_are_limited(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [0.05, *raw_service.ok()])
    p = pool(limit=2)
    answers = await asyncio.gather(*(_request(p, service) for _ in range(6)))
    assert [a.body for a in answers] == [b"ok"] * 6
    assert service.max_open == 2 and p.in_use == 0 and p.idle_count() == 2


async def test_waiting_for_a_free_connection_is_bounded(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [0.5, *raw_service.ok()])
    p = pool(limit=1)
    first = asyncio.ensure_future(_request(p, service, connect_timeout=0.05, read_timeout=0.05 + 1))
    await asyncio.sleep(0.01)
    with pytest.raises(ConnectTimeout, match="no free connection"):
        await _request(p, service, connect_timeout=0.05, read_timeout=0.05)
    assert (await first).body == b"ok"


async def test_cancelled_request_closes_its_connection(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: [30])
    p = pool()
    task = asyncio.ensure_future(_request(p, service))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert p.in_use == 0 and p.idle_count() == 0


async def test_closed_pool_refuses_requests(pool, raw_service):
    service = await raw_service(lambda c, i, head, body: raw_service.ok())
    p = pool()
    await _request(p, service)
    await p.close()
    assert p.idle_count() == 0
    with pytest.raises(ConnectFailed):
        await _request(p, service)


async def test_tls_service(pool, tmp_path):
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intake.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")

    async def serve(reader, writer):
        while True:
            try:
                await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret")
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_context)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        with pytest.raises(ConnectFailed, match="CERTIFICATE_VERIFY_FAILED"):  # not trusted by default
            await _request(pool(), Endpoint.from_url(url))
        trusting = ssl.create_default_context(cafile=tmp_path / "cert.pem")
        p = pool(ssl_context=trusting)
        for _ in range(2):
            assert (await _request(p, Endpoint.from_url(url))).body == b"secret"
        assert p.idle_count() == 1
    finally:
        server.close()
        await server.wait_closed()


async def test_answer_before_the_request_is_sent_closes_the_connection(pool):
    """A service answering (413, say) from the head alone, the body not read: the connection is not reused."""
    done = asyncio.Event()

    async def serve(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 413 Too Large\r\nContent-Length: 5\r\n\r\nlarge")
        await done.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        p = pool()
        endpoint = Endpoint.from_url(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        head = b"POST /x HTTP/1.1\r\nHost: s\r\nContent-Length: 50000000\r\n\r\n"
        answer = await _request(p, endpoint, head, b"z" * 50_000_000)
        assert (answer.status, answer.body) == (413, b"large")
        assert p.idle_count() == 0 and p.in_use == 0
    finally:
        done.set()
        server.close()
        await server.wait_closed()
