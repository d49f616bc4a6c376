"""The client the proxy forwards requests with: aiohttp's ``ClientSession``, one per process.

What the proxy relies on, all aiohttp's own:

* connections to the services are kept alive and reused, at most ``limit`` in use at once per process;
  an idle one is closed after ``keepalive`` seconds. A connection is put back into the pool only when
  its answer was read to the end with no byte left over, and the whole request was written; any other
  is closed (an answer cut short, a caller gone, a request body the service did not wait for);
* a connection holding bytes past its answer when it is released (a second answer, the start of one),
  or receiving any byte while it waits in the pool, is closed at once (:class:`GuardedConnector`, the
  gateway's one addition): no request is waiting for those bytes, and aiohttp would otherwise hand them
  to the next request on it as its answer;
* ``connect_timeout`` bounds waiting for a free connection and connecting (:class:`ConnectTimeout`;
  refused or unknown host: :class:`ConnectFailed`), ``read_timeout`` the wait between two arrivals of
  the answer's bytes (:class:`ReadTimeout`);
* the answer is checked as HTTP/1.1 (:class:`BadAnswer` otherwise), its body framed by
  ``Content-Length``, the chunked coding or the end of the connection, decoded never (bodies pass as
  the service encoded them), and read with flow control;
* an idempotent request (RFC 9110: ``GET``, ``HEAD``, ``OPTIONS``, ``PUT``, ``DELETE``) whose kept-alive
  connection the service closed before answering is sent once more by aiohttp itself (RFC 9112 section 9.3.1);
  the proxy does the same for a request carrying ``Idempotency-Key``.

No cookies are kept (one session serves every caller), no redirect is followed, no header is added but
``Host`` and the body's length.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.client_proto import ResponseHandler
from yarl import URL


class UpstreamError(Exception):
    """The service could not be reached, did not answer in time, or gave no valid answer.

    ``outage``: the failure says the service is down or stuck (the circuit breaker counts it);
    ``answered``: the service did answer something (the breaker counts it as alive);
    ``retryable``: the connection was closed before any answer: an idempotent request may be sent again.
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
    """Where a service listens: its base URL, checked, and the ``Host`` the requests carry."""

    base_url: str  # scheme, host and port, without the path
    host_header: str
    base_path: str  # the path of the base URL ("" for most), prefixed to every request target

    @classmethod
    def from_url(cls, url: str) -> Endpoint:
        """``http://host:port[/path]`` or ``https://...``; a ``ValueError`` naming the URL otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL of a service: {url!r}")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(f"a service URL has no query, fragment or credentials: {url!r}")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"not a port in the URL of a service: {url!r}") from None
        default = 443 if parts.scheme == "https" else 80
        host = parts.hostname
        shown = f"[{host}]" if ":" in host else host
        authority = shown if (port or default) == default else f"{shown}:{port}"
        return cls(base_url=f"{parts.scheme}://{authority}", host_header=authority, base_path=parts.path.rstrip("/"))


def _translate(exc: Exception) -> UpstreamError:
    """aiohttp's exception as the proxy's kind of failure."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectTimeout(str(exc) or "no connection in time")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectFailed(str(exc))
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return ReadTimeout(str(exc) or "no answer in time")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return Disconnected(str(exc) or "the service closed the connection", retryable=True)
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        return BadAnswer(str(exc), answered=True)
    return Disconnected(str(exc) or type(exc).__name__)


class _GuardedHandler(ResponseHandler):
    """aiohttp's protocol of one connection, closing it when it holds or receives bytes while in the pool."""

    idle = False  # True from its release into the pool until it is handed to a request
    reading = False  # True while aiohttp parses a read (its parser is not to be touched then)

    def data_received(self, data: bytes) -> None:
        if self.idle and data:
            # Bytes nobody asked for (an answer longer than it said, a second answer): out of step for good.
            self.discard()
            return
        self.reading = True
        try:
            super().data_received(data)
        finally:
            self.reading = False
        if self.idle and self.holds_stray_bytes():
            # Released at the end of its answer in the middle of this read: what followed it stays unread.
            self.discard()

    def holds_stray_bytes(self) -> bool:
        """Whether bytes past the last answer wait here: an answer queued, or the start of one in the parser
        (told by ending the parser's input, harmless: each request gets a new parser)."""
        if self.should_close:
            return True
        parser = self._parser
        if parser is None:
            return False
        try:
            return parser.feed_eof() is not None
        except Exception:
            return True

    def discard(self) -> None:
        self.force_close()
        self.close()


class GuardedConnector(aiohttp.TCPConnector):
    """aiohttp's connector whose pooled connections are :class:`_GuardedHandler` (aiohttp 3.14 parses and queues
    bytes that reach an idle pooled connection, and gives them to the next request on it: aio-libs/aiohttp#13656).

    ``_factory`` and ``_release`` are aiohttp's private hooks: aiohttp is pinned, and ``tests/test_upstream.py``
    fails if the guard stops working."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        handler: type[ResponseHandler] = _GuardedHandler
        self._factory = functools.partial(handler, loop=asyncio.get_running_loop())

    async def connect(self, req: Any, traces: Any, timeout: aiohttp.ClientTimeout) -> Any:
        connection = await super().connect(req, traces, timeout)
        protocol = connection.protocol
        if isinstance(protocol, _GuardedHandler):
            protocol.idle = False
        return connection

    def _release(self, key: Any, protocol: ResponseHandler, *, should_close: bool = False) -> None:
        super()._release(key, protocol, should_close=should_close)
        if isinstance(protocol, _GuardedHandler) and protocol.is_connected():
            protocol.idle = True
            if not protocol.reading and protocol.holds_stray_bytes():  # in a read: checked at its end
                protocol.discard()  # the pool drops a connection that is no longer connected


class UpstreamClient:
    """The process's client of the services (create and close it inside the running loop)."""

    def __init__(self, *, limit: int = 100, keepalive: float = 15.0) -> None:
        self.limit = limit
        self.keepalive = keepalive
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = GuardedConnector(limit=self.limit, keepalive_timeout=self.keepalive, ttl_dns_cache=300)
        self.session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # one session for every caller: never keep cookies
            auto_decompress=False,  # bodies pass through as the service encoded them
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            timeout=aiohttp.ClientTimeout(total=None),
        )

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def request(
        self,
        method: str,
        endpoint: Endpoint,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        *,
        connect_timeout: float,
        read_timeout: float,
    ) -> aiohttp.ClientResponse:
        """Send one request (``target``: path and query, already encoded); the answer's head is read, its
        body waits in the response. Raises :class:`UpstreamError`."""
        if self.session is None:
            raise ConnectFailed("the gateway is shutting down")
        timeout = aiohttp.ClientTimeout(total=None, connect=connect_timeout, sock_read=read_timeout or None)
        try:
            return await self.session.request(
                method,
                URL(endpoint.base_url + target, encoded=True),
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=timeout,
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _translate(exc) from exc

    @staticmethod
    async def read(response: aiohttp.ClientResponse) -> bytes:
        """The whole body of an answer; raises :class:`UpstreamError`."""
        try:
            return await response.read()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _translate(exc) from exc
