"""Assertions the gateway's tests share: a problem document, a client's token."""

from __future__ import annotations

from tiepdan_common.errors import PROBLEM_CONTENT_TYPE


async def problem(resp, status: int, code: str | None = None) -> dict:
    """The problem document of ``resp``, asserting its status (and code, when given)."""
    assert resp.status == status, await resp.text()
    assert resp.content_type == PROBLEM_CONTENT_TYPE
    body = await resp.json(content_type=None)
    assert body["status"] == status
    if code:
        assert body["code"] == code
    return body


async def client_token(http, base: str, client_id: str, secret: str) -> str:
    """An access token for a client, from the gateway at ``base``."""
    resp = await http.post(
        f"{base}/api/v1/auth/token",
        json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert resp.status == 200, await resp.text()
    return (await resp.json())["access_token"]
