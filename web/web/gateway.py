"""Calling the gateway with the signed-in officer's token, and answers that never raise."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import requests
from flask import current_app, g, session

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Answer:
    """What the gateway said: ``status`` 0 when it could not be reached."""

    status: int
    data: Any = None
    problem: dict | None = None
    content: bytes = b""
    headers: dict = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def field_errors(self) -> list[dict]:
        """The problem's ``errors`` list (``[{field, message}]``), empty when there is none."""
        return list((self.problem or {}).get("errors") or [])


class Gateway:
    """A small client of the gateway's API, one ``requests.Session`` per process."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.http = requests.Session()

    def call(self, method: str, path: str, *, token: str | None = None, raw: bool = False, **kwargs) -> Answer:
        """Call ``path`` (under ``/api/v1``); a network failure is an :class:`Answer` with status 0."""
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        rid = g.get("request_id")
        if rid:
            headers.setdefault("X-Request-ID", rid)
        url = f"{self.base_url}/api/v1{path}"
        try:
            resp = self.http.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            log.warning("gateway unreachable", extra={"path": path, "error": type(exc).__name__})
            return Answer(0, problem={"code": "unreachable", "detail": str(exc)})
        answer = Answer(resp.status_code, headers=dict(resp.headers))
        if raw and resp.ok:
            answer.content = resp.content
            return answer
        try:
            body = resp.json() if resp.content else None
        except ValueError:
            body = None
        if resp.ok:
            answer.data = body
        else:
            answer.problem = body if isinstance(body, dict) else {"code": "error", "detail": resp.text[:300]}
            if resp.status_code == 403:
                # Either the officer lacks the right or the gateway's route table does not know the route yet.
                log.warning("gateway refused", extra={"method": method, "path": path, "status": 403})
        return answer


def gateway() -> Gateway:
    """The app's gateway client."""
    return current_app.extensions["tiepdan_web"]["gateway"]


def store_tokens(data: dict) -> None:
    """Keep a token answer's access token (and refresh token, when it has one) in the session."""
    session["token"] = data["access_token"]
    session["expires_at"] = time.time() + int(data.get("expires_in", 3600)) - 30
    if data.get("refresh_token"):
        session["refresh_token"] = data["refresh_token"]


def refresh_session() -> bool:
    """Trade the session's refresh token for a new pair (the old one is spent); False when there is none
    or the gateway refuses it (signed out elsewhere, idle too long, the working day over, account changed)."""
    refresh_token = session.get("refresh_token")
    if not refresh_token:
        return False
    answer = gateway().call("POST", "/auth/token", json={"grant_type": "refresh_token", "refresh_token": refresh_token})
    if not answer.ok or not isinstance(answer.data, dict) or "access_token" not in answer.data:
        session.pop("refresh_token", None)
        return False
    store_tokens(answer.data)
    return True


def api(method: str, path: str, **kwargs) -> Answer:
    """Call the gateway as the signed-in officer, refreshing the token once if it was refused; a 401
    that a refresh cannot cure marks the session as expired."""
    answer = gateway().call(method, path, token=session.get("token"), **kwargs)
    if answer.status == 401 and refresh_session():
        answer = gateway().call(method, path, token=session.get("token"), **kwargs)
    if answer.status == 401:
        g.session_expired = True
    return answer


def get(path: str, **params) -> Answer:
    """``GET path`` with query parameters (None values dropped)."""
    return api("GET", path, params={k: v for k, v in params.items() if v not in (None, "")})


def post(path: str, json: Any = None, **kwargs) -> Answer:
    """``POST path`` with a JSON body."""
    return api("POST", path, json=json, **kwargs)
