"""Which officers the roster knows: asked of roster through the gateway, fresh, with a timeout and a fallback.

Escalation checks that those assigned to a province request, those sent to bring citizens home and the owners
of tasks are officers of the roster. The question must be fresh (an officer who left must be refused), so it is
a synchronous query (docs/architecture.md), made with escalation's own client (``svc-escalation``). The
fallback, when roster or the gateway does not answer in time, is the last answer this process had (at most
``stale_seconds`` old); without one the caller gets :class:`RosterUnavailable` (the API answers 503: retry).
"""

from __future__ import annotations

import logging
import threading
import time

import requests

from .config import EscalationSettings

log = logging.getLogger(__name__)


class RosterUnavailable(Exception):
    """Roster (or the gateway in front of it) did not answer in time, and no recent answer is kept."""


class OfficerDirectory:
    """Roster's officers by code: ``officers()`` asks roster each time, falling back to its last answer."""

    def __init__(
        self,
        *,
        gateway_url: str,
        client_id: str,
        client_secret: str,
        timeout: float = 2.0,
        stale_seconds: float = 3600.0,
    ) -> None:
        self.gateway_url = gateway_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.timeout, self.stale_seconds = timeout, stale_seconds
        self._session = requests.Session()
        self._token: str | None = None
        self._token_expires = 0.0
        self._last: tuple[float, dict[str, dict]] | None = None
        self._lock = threading.Lock()

    def _bearer(self) -> str:
        with self._lock:
            if self._token is None or time.time() > self._token_expires - 30:
                resp = self._session.post(
                    f"{self.gateway_url}/api/v1/auth/token",
                    timeout=self.timeout,
                    json={
                        "grant_type": "client_credentials",
                        "client_id": self.client_id,
                        "client_secret": self.client_secret,
                    },
                )
                resp.raise_for_status()
                body = resp.json()
                self._token = body["access_token"]
                self._token_expires = time.time() + float(body.get("expires_in", 300))
            return self._token

    def _fetch(self) -> dict[str, dict]:
        for _attempt in range(2):
            resp = self._session.get(
                f"{self.gateway_url}/api/v1/roster/officers",
                timeout=self.timeout,
                headers={"Authorization": f"Bearer {self._bearer()}"},
            )
            if resp.status_code != 401:
                break
            self._token = None  # expired, revoked or rotated: ask again once with a new one
        resp.raise_for_status()
        return {o["code"]: o for o in resp.json()}

    def officers(self) -> dict[str, dict]:
        """Every officer of the roster by code (``agency``, ``role``, ``active``, ...)."""
        try:
            found = self._fetch()
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            last = self._last
            if last is not None and time.time() - last[0] <= self.stale_seconds:
                log.warning("roster did not answer (%r): using its answer of %.0f s ago", exc, time.time() - last[0])
                return last[1]
            log.warning("roster did not answer: %r", exc)
            raise RosterUnavailable(str(exc)) from exc
        self._last = (time.time(), found)
        return found


def directory(settings: EscalationSettings) -> OfficerDirectory:
    """The directory the settings point at (roster behind the gateway, with escalation's client)."""
    return OfficerDirectory(
        gateway_url=settings.gateway_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        timeout=settings.roster_timeout,
    )


def officers_now() -> dict[str, dict]:
    """In a request: roster's officers by code; when roster cannot be asked, a 503 the client may retry."""
    from flask import current_app

    from tiepdan_common.errors import Problem

    try:
        return current_app.extensions["escalation"]["officers"].officers()
    except RosterUnavailable as exc:
        raise Problem(
            503,
            "roster: the officers cannot be checked now, try again shortly",
            code="roster_unavailable",
            headers={"Retry-After": "10"},
        ) from exc
