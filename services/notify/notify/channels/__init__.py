"""Channels that carry a message out of notify: SMS, email, webhook (the inbox is the database itself)."""

from __future__ import annotations

import dataclasses
import functools
import urllib.request
from urllib.parse import urlsplit

import certifi
import urllib3

POOL_SIZE = 8


class HttpClient:
    """Sends to providers and receivers over kept-alive connections (urllib3's pools, safe to share
    between threads).

    urllib3 rather than requests: for a short POST, requests' sessions, hooks and per-request reading
    of the environment cost 0.45 ms of CPU more, and a hot spot sends hundreds at once. What requests
    did for us is kept: the proxy the environment names (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``,
    read once) and certifi's certificate authorities. Nothing is retried here: a failed send is a failed
    attempt, retried later by the delivery's backoff.
    """

    def __init__(self) -> None:
        self._proxies = urllib.request.getproxies()
        # Up to POOL_SIZE connections kept per host: one for each sender thread, and a few more.
        self._direct = urllib3.PoolManager(maxsize=POOL_SIZE, ca_certs=certifi.where())
        self._through: dict[str, urllib3.ProxyManager] = {}

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one client per channel, for the life of the process
    def _proxy(self, scheme: str, host: str) -> str | None:
        proxy = self._proxies.get(scheme)
        if not proxy or urllib.request.proxy_bypass(host):
            return None
        return proxy

    def send(self, method: str, url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, str]:
        """(status, answer text); raises ``urllib3.exceptions.HTTPError`` when the exchange fails."""
        parts = urlsplit(url)
        proxy = self._proxy(parts.scheme, parts.hostname or "")
        pool = self._direct
        if proxy is not None:
            pool = self._through.get(proxy) or self._through.setdefault(
                proxy, urllib3.ProxyManager(proxy, maxsize=POOL_SIZE, ca_certs=certifi.where())
            )
        resp = pool.request(method, url, body=body, headers=headers, timeout=timeout, retries=False)
        return resp.status, resp.data.decode("utf-8", "replace")


class ChannelError(Exception):
    """The channel did not take the message; ``answer`` is what the provider said, if anything."""

    def __init__(self, message: str, answer: str | None = None) -> None:
        super().__init__(message)
        self.answer = answer


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One message on its way to one address."""

    delivery_id: str
    message_id: str
    event_id: str
    event_type: str
    case_id: str | None
    recipient: str
    address: str
    urgent: bool
    title: str
    body: str
    title_en: str | None
    body_en: str | None
    ack_code: str
    ack_url: str | None
    data: dict = dataclasses.field(default_factory=dict)
