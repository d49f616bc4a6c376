"""Asks roster, through the gateway, who is on duty and who works where (fresh queries, timeout, fallback)."""

from __future__ import annotations

import logging
import threading
import time

import requests
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from tiepdan_common.clock import Clock, utcnow

log = logging.getLogger(__name__)


class RosterUnavailable(Exception):
    """Roster (or the gateway in front of it) did not answer in time."""


class RosterClient:
    """A small client with its own token, refreshed before it expires.

    Getting a token costs the gateway a deliberately slow check of the client's secret (0.1 to 0.4 s on
    the benchmark machine): done inside a request, every event that waited behind it was that much later,
    at the first event after a start and once per token lifetime. The worker calls ``refresh_token``
    from a timer instead (``notify.worker``), a third of a lifetime ahead; a request gets a token itself
    only when the timer could not (the gateway was down, or the token was refused).
    """

    def __init__(
        self,
        *,
        gateway_url: str,
        client_id: str,
        client_secret: str,
        timeout: float = 2.0,
        cache_seconds: float = 0.0,
        clock: Clock = utcnow,
    ) -> None:
        self.gateway_url = gateway_url.rstrip("/")
        # A flood of events asks the same question many times a second: keep an answer briefly,
        # never past the end of a shift it names, so a handover is seen at once. Shifts are in the
        # service's time (a demo's clock may read 2024), so the cache keeps that time too; tokens keep the machine's.
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._cache: dict[tuple, tuple[float, object]] = {}
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout
        self._session = requests.Session()
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lifetime = 0.0
        self._lock = threading.Lock()

    def _fetch_token(self) -> None:
        resp = self._session.post(
            f"{self.gateway_url}/api/v1/auth/token",
            json={"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret},
            timeout=self.timeout,
        )
        resp.raise_for_status()
        body = resp.json()
        self._token = body["access_token"]
        self._token_lifetime = float(body.get("expires_in", 300))
        self._token_expires = time.time() + self._token_lifetime

    def refresh_token(self) -> bool:
        """Get a new token when there is none or a third of its lifetime is left: True when it got one.
        When the gateway does not give one, a warning is logged (a request will ask again)."""
        with self._lock:
            if self._token is not None and time.time() < self._token_expires - self._token_lifetime / 3:
                return False
            try:
                self._fetch_token()
            except (requests.RequestException, ValueError, KeyError) as exc:
                log.warning("no token from the gateway yet: %r", exc)
                return False
            return True

    def _bearer(self) -> str:
        token = self._token
        if token is not None and time.time() <= self._token_expires - 30:
            return token  # without waiting for a renewal the timer may have under way
        with self._lock:
            if self._token is None or time.time() > self._token_expires - 30:
                self._fetch_token()
            return self._token

    @retry(
        stop=stop_after_attempt(2),
        wait=wait_exponential(multiplier=0.1, max=0.5),
        retry=retry_if_exception_type(requests.RequestException),
        reraise=True,
    )
    def _get_json(self, path: str, params: dict):
        resp = self._session.get(
            f"{self.gateway_url}/api/v1/roster/{path}",
            params={k: v for k, v in params.items() if v is not None},
            headers={"Authorization": f"Bearer {self._bearer()}"},
            timeout=self.timeout,
        )
        if resp.status_code == 401:
            self._token = None  # expired or rotated: get a new one on the retry
        resp.raise_for_status()
        return resp.json()

    def _get(self, path: str, params: dict):
        key = (path, tuple(sorted((k, str(v)) for k, v in params.items() if v is not None)))
        cached = self._cache.get(key)
        if cached and self.clock().timestamp() < cached[0]:
            return cached[1]
        try:
            answer = self._get_json(path, params)
        except (requests.RequestException, ValueError) as exc:
            log.warning("roster did not answer %s: %r", path, exc)
            raise RosterUnavailable(str(exc)) from exc
        if self.cache_seconds > 0 and "at" not in params:
            until = min(self.clock().timestamp() + self.cache_seconds, _earliest_shift_end(answer))
            self._cache[key] = (until, answer)
        return answer

    def on_duty(self, **params) -> dict:
        """Roster's on-duty answer (params: at, role, agency), or :class:`RosterUnavailable`."""
        return self._get("on-duty", params)

    def officers(self, *, agency: str | None = None) -> list[dict]:
        """The officers of an agency (all when ``agency`` is None), or :class:`RosterUnavailable`."""
        return self._get("officers", {"agency": agency})

    def agencies(self) -> list[dict]:
        return self._get("agencies", {})


def _earliest_shift_end(answer) -> float:
    """The epoch second at which the first shift named in an on-duty answer ends (infinity if none)."""
    import datetime as dt

    ends = []
    if isinstance(answer, dict):
        people = answer.get("officers", []) + [answer.get("leader_on_call")]
        for person in people:
            if person and person.get("shift_ends_at"):
                try:
                    ends.append(dt.datetime.fromisoformat(person["shift_ends_at"]).timestamp())
                except ValueError:
                    pass
    return min(ends, default=float("inf"))
