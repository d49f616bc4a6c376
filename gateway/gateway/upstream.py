"""The HTTP/1.1 client the proxy forwards requests with: kept-alive connections to the services.

Why not aiohttp's ``ClientSession`` (still used for health checks and OpenAPI documents):
it serves every use (cookies, redirects, proxies, decompression, tracing, middlewares)
and spent about 0.1 ms of CPU more per forwarded request than this client, on the
path of every request (see the gateway's README, Performance). This client does what
the proxy needs and nothing more:

* connections to the services are kept alive and reused (most recently used first),
  at most ``limit`` of them in use at once per process; an idle one is closed after
  ``keepalive`` seconds, or as soon as the service closes it;
* a request waits at most ``connect_timeout`` for a new connection
  (:class:`ConnectTimeout`; refused or unknown host: :class:`ConnectFailed`) and at most
  ``read_timeout`` between two arrivals of the answer's bytes (:class:`ReadTimeout`);
* the answer's status line and headers are checked (RFC 9112); its body is framed by
  ``Content-Length``, the chunked transfer coding or the end of the connection. A body of
  known length up to ``buffer_limit`` is read whole before the answer is handed over
  (one wake-up of the caller); any other is streamed (:meth:`UpstreamAnswer.chunks`), and
  reading from the service pauses while the caller lags behind;
* a connection the service closed before answering anything is reported
  ``retryable`` when it was a reused one (the service closed it while idle, under
  the request): the caller decides whether the request may be sent again.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import re
import socket
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

# Status line and header fields of one answer, at most.
MAX_HEAD_BYTES = 64 * 1024
# A chunk-size line (with its extensions), at most; the trailer section, at most.
MAX_CHUNK_LINE_BYTES = 4096
MAX_TRAILER_BYTES = 64 * 1024
# Streamed body bytes waiting for the caller above which reading from the service pauses, and below which it resumes.
PAUSE_ABOVE = 256 * 1024
RESUME_BELOW = 64 * 1024

_STATUS_LINE = re.compile(r"HTTP/1\.([01]) ([1-9][0-9][0-9])(?: ([^\x00\r\n]*))?")
# field-name ":" OWS field-value OWS (RFC 9112 section 5); no whitespace before the colon, no obs-fold.
_FIELD_LINE = re.compile(r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\x00\r\n]*?)[ \t]*")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")

# Body framing of an answer.
_NONE, _LENGTH, _CHUNKED, _UNTIL_CLOSE = range(4)
# Where an exchange is: no request, waiting for the head, reading a body to hand over whole, streaming it.
_IDLE, _HEAD, _BUFFERED, _STREAMED = range(4)
# Where a chunked body is.
_CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILERS = range(4)


class UpstreamError(Exception):
    """The service could not be reached, did not answer in time, or gave no valid answer.

    ``outage``: the failure says the service is down or stuck (the circuit breaker counts it);
    ``answered``: the status line and headers had arrived (the service did answer);
    ``retryable``: a reused connection was closed before any byte of the answer came back.
    """

    outage = True

    def __init__(self, message: str, *, answered: bool = False, retryable: bool = False) -> None:
        super().__init__(message)
        self.answered = answered
        self.retryable = retryable


class ConnectFailed(UpstreamError):
    """No connection: refused, unreachable, unknown host."""


class ConnectTimeout(UpstreamError):
    """No connection (or no free one in the pool) in time."""


class ReadTimeout(UpstreamError):
    """The answer stopped coming for longer than the read timeout."""


class Disconnected(UpstreamError):
    """The service closed the connection before its answer was complete."""


class BadAnswer(UpstreamError):
    """The service's bytes are not a valid HTTP/1.1 answer."""

    outage = False


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a service listens, as the client needs it."""

    host: str
    port: int
    tls: bool
    host_header: bytes  # the ``Host`` field sent with every request
    base_path: str  # the path of the base URL ("" for most), prefixed to every request target

    @classmethod
    def from_url(cls, url: str) -> Endpoint:
        """``http://host:port[/path]`` or ``https://...``; a ``ValueError`` naming the URL otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL of a service: {url!r}")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(f"a service URL has no query, fragment or credentials: {url!r}")
        tls = parts.scheme == "https"
        default = 443 if tls else 80
        port = parts.port or default
        host = parts.hostname
        shown = f"[{host}]" if ":" in host else host
        header = shown if port == default else f"{shown}:{port}"
        return cls(host=host, port=port, tls=tls, host_header=header.encode("idna"),
                   base_path=parts.path.rstrip("/"))


def parse_head(head: bytes) -> tuple[int, int, str, list[tuple[str, str]]]:
    """The HTTP minor version, status, reason and header fields of an answer's head (without the empty line)."""
    text = head.decode("utf-8", "surrogateescape")
    lines = text.split("\r\n")
    status_line = _STATUS_LINE.fullmatch(lines[0])
    if status_line is None:
        raise BadAnswer(f"invalid status line {lines[0][:100]!r}")
    fields: list[tuple[str, str]] = []
    match = _FIELD_LINE.fullmatch
    for line in lines[1:]:
        field = match(line)
        if field is None:
            raise BadAnswer(f"invalid header field line {line[:100]!r}")
        fields.append((field[1], field[2]))
    return int(status_line[1]), int(status_line[2]), status_line[3] or "", fields


def body_framing(head_request: bool, minor: int, status: int,
                 fields: list[tuple[str, str]]) -> tuple[int, int, bool]:
    """How the body of an answer ends (RFC 9112 section 6.3): framing, length, and whether the connection
    may carry another request afterwards."""
    keep_alive = minor == 1
    length: int | None = None
    coding: list[str] = []
    for name, value in fields:
        lower = name.lower()
        if lower == "content-length":
            # A list of identical values is one value (RFC 9110 section 8.6).
            values = {v.strip() for v in value.split(",")}
            if len(values) != 1:
                raise BadAnswer("conflicting Content-Length values")
            text = values.pop()
            if not (text.isascii() and text.isdigit()) or len(text) > 18:
                raise BadAnswer(f"invalid Content-Length {value[:40]!r}")
            if length is not None and length != int(text):
                raise BadAnswer("conflicting Content-Length values")
            length = int(text)
        elif lower == "transfer-encoding":
            coding.extend(c.strip().lower() for c in value.split(",") if c.strip())
        elif lower == "connection":
            tokens = {t.strip().lower() for t in value.split(",")}
            if "close" in tokens:
                keep_alive = False
            elif minor == 0 and "keep-alive" in tokens:
                keep_alive = True
    if head_request or status < 200 or status in (204, 304):
        return _NONE, 0, keep_alive
    if coding:
        if length is not None:
            raise BadAnswer("both Transfer-Encoding and Content-Length")
        if coding[-1] == "chunked" and "chunked" not in coding[:-1]:
            return _CHUNKED, 0, keep_alive
        return _UNTIL_CLOSE, 0, False
    if length is not None:
        return _LENGTH, length, keep_alive
    return _UNTIL_CLOSE, 0, False


class UpstreamAnswer:
    """A service's answer: ``status``, ``reason``, ``headers`` (name, value) in order, ``content_length``
    when the service sent one; ``body`` when it was read whole, else read with :meth:`chunks`.
    Call :meth:`release` when done with it (its connection goes back to the pool or is closed)."""

    __slots__ = ("_conn", "_done", "_error", "_queue", "_queued", "_wake", "body", "content_length", "headers",
                 "reason", "status")

    def __init__(self, conn: _Connection, status: int, reason: str, headers: list[tuple[str, str]],
                 content_length: int | None) -> None:
        self._conn: _Connection | None = conn
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content_length = content_length
        self.body: bytes | None = None
        self._queue: collections.deque[bytes] = collections.deque()
        self._queued = 0
        self._done = False
        self._error: UpstreamError | None = None
        self._wake: asyncio.Future | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body: in one piece when it was read whole, else as it arrives; raises :class:`UpstreamError`
        when the service stops sending before its end."""
        if self.body is not None:
            if self.body:
                yield self.body
            return
        while True:
            if self._queue:
                chunk = self._queue.popleft()
                self._queued -= len(chunk)
                conn = self._conn
                if conn is not None and self._queued < RESUME_BELOW:
                    conn.resume()
                yield chunk
            elif self._error is not None:
                raise self._error
            elif self._done:
                return
            else:
                conn = self._conn
                assert conn is not None
                self._wake = conn.loop.create_future()
                try:
                    await self._wake
                finally:
                    self._wake = None

    def release(self) -> None:
        """Done with the answer: a connection still carrying its body is closed."""
        conn, self._conn = self._conn, None
        if conn is not None and not self._done:
            conn.close()

    # ------------------------------------------------------------------ fed by the connection

    def _push(self, data: bytes) -> None:
        self._queue.append(data)
        self._queued += len(data)
        if self._queued > PAUSE_ABOVE and self._conn is not None:
            self._conn.pause()
        self._notify()

    def _finish(self) -> None:
        self._done = True
        self._conn = None  # the connection is back in the pool, or closed
        self._notify()

    def _fail(self, error: UpstreamError) -> None:
        self._error = error
        self._conn = None
        self._notify()

    def _notify(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)


class _Connection(asyncio.Protocol):
    """One connection to a service, carrying one request at a time."""

    def __init__(self, pool: UpstreamPool, endpoint: Endpoint, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.endpoint = endpoint
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.in_use = False  # counted in the pool's connections in use
        self.idle_since = 0.0
        self.answers = 0  # answers read to their end on this connection
        self._buf = bytearray()
        self._paused = False
        # The exchange in progress.
        self._phase = _IDLE
        self._waiter: asyncio.Future | None = None  # resolves to the answer
        self._answer: UpstreamAnswer | None = None  # the answer being read
        self._head_request = False
        self._buffer_limit = 0
        self._read_timeout = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._last_read = 0.0
        self._received = False
        self._framing = _NONE
        self._remaining = 0
        self._keep_alive = False
        self._reuse = True  # False: closed after this exchange whatever the answer says
        self._chunk_state = _CHUNK_SIZE

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio's classes
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self._phase == _IDLE:
            # Nothing was asked: a service sends nothing unasked on an idle connection.
            self.close()
            return
        self._received = True
        self._last_read = self.loop.time()
        self._buf += data
        try:
            if self._phase == _HEAD and not self._parse_head():
                return
            if self._phase == _BUFFERED:
                self._parse_buffered()
            elif self._phase == _STREAMED:
                self._parse_streamed()
        except UpstreamError as exc:
            self._abort(exc)

    def eof_received(self) -> bool:
        if self._phase == _STREAMED and self._framing == _UNTIL_CLOSE:
            self._end_of_body(reusable=False)
        return False  # the transport closes; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.transport = None
        if self._phase != _IDLE:
            silent = self._phase == _HEAD and not self._received
            self._abort(Disconnected(
                "the service closed the connection before its answer was complete" + (f" ({exc})" if exc else ""),
                answered=self._phase != _HEAD, retryable=silent and self.answers > 0,
            ))
        self.pool._forget(self)

    # ------------------------------------------------------------------ the exchange

    def send(self, data: tuple[bytes, ...], *, head_request: bool, read_timeout: float,
             buffer_limit: int, reuse: bool = True) -> asyncio.Future:
        """Write a request; the future resolves to its :class:`UpstreamAnswer`."""
        transport = self.transport
        if self.closed or transport is None or transport.is_closing():
            raise Disconnected("the connection was closed", retryable=self.answers > 0)
        waiter = self.loop.create_future()
        self._waiter = waiter
        self._phase = _HEAD
        self._head_request = head_request
        self._read_timeout = read_timeout
        self._buffer_limit = buffer_limit
        self._reuse = reuse
        self._received = False
        self._last_read = self.loop.time()
        if read_timeout > 0:
            self._timer = self.loop.call_at(self._last_read + read_timeout, self._check_timeout)
        if len(data) == 1:
            transport.write(data[0])
        else:
            transport.writelines(data)
        return waiter

    def _check_timeout(self) -> None:
        self._timer = None
        if self._phase == _IDLE:
            return
        now = self.loop.time()
        if self._paused:  # waiting for our own caller to take the body, not for the service
            self._last_read = now
        due = self._last_read + self._read_timeout
        if now < due:
            self._timer = self.loop.call_at(due, self._check_timeout)
            return
        self._abort(ReadTimeout(f"no data from the service for {self._read_timeout:g} s",
                                answered=self._phase != _HEAD))

    def _parse_head(self) -> bool:
        """True once the head of the final answer is parsed (interim 1xx answers are skipped)."""
        buf = self._buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD_BYTES:
                    raise BadAnswer("the answer's header section is too large")
                return False
            if end > MAX_HEAD_BYTES:
                raise BadAnswer("the answer's header section is too large")
            minor, status, reason, fields = parse_head(bytes(buf[:end]))
            del buf[: end + 4]
            if status == 101:
                raise BadAnswer("the service switched protocols, which was not asked")
            if status >= 200:
                break
            # An interim answer (103 Early Hints and the like): the final one follows.
        framing, length, keep_alive = body_framing(self._head_request, minor, status, fields)
        self._framing = framing
        self._remaining = length
        self._keep_alive = keep_alive
        answer = UpstreamAnswer(self, status, reason, fields, length if framing == _LENGTH else None)
        self._answer = answer
        if framing == _NONE:
            answer.body = b""
            self._complete(reusable=not buf)
            return False
        if framing == _LENGTH and length <= self._buffer_limit:
            self._phase = _BUFFERED  # handed over once whole
            return True
        self._phase = _STREAMED  # handed over now, the body follows
        self._chunk_state = _CHUNK_SIZE
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)
        return True

    def _parse_buffered(self) -> None:
        buf = self._buf
        if len(buf) < self._remaining:
            return
        assert self._answer is not None
        with memoryview(buf) as view:
            self._answer.body = bytes(view[: self._remaining])
        self._complete(reusable=len(buf) == self._remaining)

    def _parse_streamed(self) -> None:
        answer = self._answer
        buf = self._buf
        assert answer is not None
        if not buf:
            return
        if self._framing == _LENGTH:
            take = min(len(buf), self._remaining)
            answer._push(bytes(buf[:take]))
            extra = len(buf) > take
            buf.clear()
            self._remaining -= take
            if self._remaining == 0:
                self._end_of_body(reusable=not extra)
        elif self._framing == _UNTIL_CLOSE:
            answer._push(bytes(buf))
            buf.clear()
        else:
            self._parse_chunked(answer)

    def _parse_chunked(self, answer: UpstreamAnswer) -> None:
        buf = self._buf
        while buf:
            state = self._chunk_state
            if state == _CHUNK_SIZE:
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > MAX_CHUNK_LINE_BYTES:
                        raise BadAnswer("chunk size line too long")
                    return
                size = bytes(buf[:end]).split(b";", 1)[0].strip(b" \t")
                if not _HEX.fullmatch(size):
                    raise BadAnswer("invalid chunk size")
                del buf[: end + 2]
                self._remaining = int(size, 16)
                self._chunk_state = _CHUNK_DATA if self._remaining else _TRAILERS
            elif state == _CHUNK_DATA:
                take = min(len(buf), self._remaining)
                answer._push(bytes(buf[:take]))
                del buf[:take]
                self._remaining -= take
                if self._remaining == 0:
                    self._chunk_state = _CHUNK_END
            elif state == _CHUNK_END:
                if len(buf) < 2:
                    return
                if buf[:2] != b"\r\n":
                    raise BadAnswer("chunk data not followed by CRLF")
                del buf[:2]
                self._chunk_state = _CHUNK_SIZE
            else:  # the trailer section (not forwarded), up to its empty line
                if buf[:2] == b"\r\n":
                    end = 0
                else:
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        if len(buf) > MAX_TRAILER_BYTES:
                            raise BadAnswer("trailer section too large")
                        return
                    end += 2
                extra = len(buf) > end + 2
                buf.clear()
                self._end_of_body(reusable=not extra)
                return

    def _complete(self, *, reusable: bool) -> None:
        """A whole answer was read (head, body if any): hand it over and free the connection."""
        answer, self._answer = self._answer, None
        waiter, self._waiter = self._waiter, None
        assert answer is not None
        answer._done = True
        answer._conn = None
        self._finish_exchange(reusable)
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _end_of_body(self, *, reusable: bool) -> None:
        """The streamed body is complete."""
        answer, self._answer = self._answer, None
        self._finish_exchange(reusable)
        if answer is not None:
            answer._finish()

    def _finish_exchange(self, reusable: bool) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._phase = _IDLE
        self._buf.clear()
        self.answers += 1
        transport = self.transport
        # Still sending the request while the answer is complete: the service did not read it all; do not reuse.
        if (reusable and self._keep_alive and self._reuse and not self.closed and transport is not None
                and not transport.get_write_buffer_size()):
            self.resume()
            self.pool._put_back(self)
        else:
            self.close()

    def _abort(self, error: UpstreamError) -> None:
        """The exchange failed: tell whoever waits, close the connection."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._phase = _IDLE
        waiter, self._waiter = self._waiter, None
        answer, self._answer = self._answer, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        if answer is not None:
            answer._fail(error)
        self.close()

    # ------------------------------------------------------------------ flow control and end

    def pause(self) -> None:
        if not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._last_read = self.loop.time()
            if self.transport is not None:
                self.transport.resume_reading()

    def close(self) -> None:
        """Close the connection; an exchange in progress fails."""
        if self.closed:
            return
        self.closed = True
        if self._phase != _IDLE:
            self._abort(Disconnected("the connection was closed by the gateway", answered=self._phase != _HEAD))
        if self.transport is not None:
            self.transport.close()
        self.pool._forget(self)


class UpstreamPool:
    """Kept-alive connections to the services of one process. Not thread-safe: use it on its event loop."""

    def __init__(self, *, limit: int = 100, keepalive: float = 15.0, ssl_context: ssl.SSLContext | None = None) -> None:
        self.limit = limit  # connections in use at once (0: no limit)
        self.keepalive = keepalive
        self._ssl_context = ssl_context
        self._idle: dict[Endpoint, list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._in_use = 0
        self._waiters: collections.deque[asyncio.Future] = collections.deque()
        self._sweep: asyncio.TimerHandle | None = None
        self._closed = False

    @property
    def in_use(self) -> int:
        """Connections carrying a request now."""
        return self._in_use

    def idle_count(self, endpoint: Endpoint | None = None) -> int:
        """Idle kept-alive connections (to one endpoint, or to all)."""
        if endpoint is not None:
            return len(self._idle.get(endpoint, ()))
        return sum(len(conns) for conns in self._idle.values())

    async def request(self, endpoint: Endpoint, head: bytes, body: bytes | None, *, head_request: bool,
                      connect_timeout: float, read_timeout: float, buffer_limit: int,
                      fresh: bool = False, reuse: bool = True) -> UpstreamAnswer:
        """Send one request (``head``: request line and header fields, with the empty line) and wait for the
        answer; raises :class:`UpstreamError`. ``fresh``: on a new connection, not a kept one (to send
        again a request whose kept connection was found closed: the others kept from the same time may be
        closed too, the service having restarted in between). ``reuse=False``: the connection is closed after
        the answer, whatever it says."""
        conn = await self._acquire(endpoint, connect_timeout, read_timeout, fresh=fresh)
        try:
            waiter = conn.send((head, body) if body else (head,), head_request=head_request,
                               read_timeout=read_timeout, buffer_limit=buffer_limit, reuse=reuse)
            return await waiter
        except BaseException:
            conn.close()
            raise

    async def close(self) -> None:
        """Close every connection."""
        self._closed = True
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        for conn in list(self._open):
            conn.close()
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(ConnectFailed("the gateway is shutting down"))
        self._waiters.clear()
        await asyncio.sleep(0)  # let the transports finish closing

    # ------------------------------------------------------------------ connections

    async def _acquire(self, endpoint: Endpoint, connect_timeout: float, read_timeout: float, *,
                       fresh: bool = False) -> _Connection:
        if self._closed:
            raise ConnectFailed("the gateway is shutting down")
        if self.limit and self._in_use >= self.limit:
            await self._wait_for_slot(connect_timeout + read_timeout)
        loop = asyncio.get_running_loop()
        idle = None if fresh else self._idle.get(endpoint)
        if idle:
            oldest = loop.time() - self.keepalive
            while idle:
                conn = idle.pop()
                if conn.closed or conn.idle_since < oldest:
                    conn.close()
                    continue
                conn.in_use = True
                self._in_use += 1
                return conn
        self._in_use += 1  # counted while it connects
        try:
            conn = await self._connect(endpoint, connect_timeout, loop)
        except BaseException:
            self._in_use -= 1
            self._wake_waiter()
            raise
        conn.in_use = True
        return conn

    async def _wait_for_slot(self, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._in_use >= self.limit:
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    await waiter
            except TimeoutError:
                raise ConnectTimeout(f"no free connection to the services within {timeout:g} s") from None
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self._wake_waiter()  # woken, but leaving: pass the free slot on
                raise
            finally:
                if not waiter.done():
                    waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)

    def _wake_waiter(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _connect(self, endpoint: Endpoint, timeout: float, loop: asyncio.AbstractEventLoop) -> _Connection:
        ssl_context: ssl.SSLContext | None = None
        if endpoint.tls:
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            ssl_context = self._ssl_context
        try:
            async with asyncio.timeout(timeout):
                _transport, conn = await loop.create_connection(
                    lambda: _Connection(self, endpoint, loop), endpoint.host, endpoint.port, ssl=ssl_context,
                )
        except TimeoutError:
            raise ConnectTimeout(f"no connection to {endpoint.host}:{endpoint.port} within {timeout:g} s") from None
        except OSError as exc:  # refused, unreachable, unknown host, TLS failure
            raise ConnectFailed(f"no connection to {endpoint.host}:{endpoint.port}: {exc}") from None
        if conn.closed:
            raise ConnectFailed(f"the connection to {endpoint.host}:{endpoint.port} closed at once")
        self._open.add(conn)
        if self._closed:
            conn.close()
            raise ConnectFailed("the gateway is shutting down")
        return conn

    def _put_back(self, conn: _Connection) -> None:
        """An exchange ended with the connection reusable."""
        self._release_slot(conn)
        if self._closed:
            conn.close()
            return
        conn.idle_since = conn.loop.time()
        self._idle.setdefault(conn.endpoint, []).append(conn)
        if self._sweep is None:
            self._sweep = conn.loop.call_later(self.keepalive, self._sweep_idle)

    def _forget(self, conn: _Connection) -> None:
        """A connection was closed."""
        self._release_slot(conn)
        self._open.discard(conn)
        idle = self._idle.get(conn.endpoint)
        if idle and conn in idle:
            idle.remove(conn)

    def _release_slot(self, conn: _Connection) -> None:
        if conn.in_use:
            conn.in_use = False
            self._in_use -= 1
            self._wake_waiter()

    def _sweep_idle(self) -> None:
        """Close the connections idle for longer than the keep-alive time."""
        self._sweep = None
        loop = asyncio.get_running_loop()
        oldest = loop.time() - self.keepalive
        for endpoint, conns in list(self._idle.items()):
            for conn in [c for c in conns if c.idle_since < oldest or c.closed]:
                conn.close()
            if not conns:
                del self._idle[endpoint]
        if any(self._idle.values()):
            self._sweep = loop.call_later(self.keepalive, self._sweep_idle)
