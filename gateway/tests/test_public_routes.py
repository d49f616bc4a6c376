"""The public routes (no token, an anonymous identity, limited per address) and the access log."""

import json

import pytest

from gateway.app import create_app
from gateway.settings import DEFAULT_UPSTREAMS

from .checks import problem

# --------------------------------------------------------------------------- public routes


def _headers(echo: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in echo["headers"]:
        out.setdefault(name.lower(), []).append(value)
    return out


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/roster/calendar/5/s3cret.ics"),
        ("GET", "/api/v1/notify/ack/abc.def"),
        ("POST", "/api/v1/notify/ack/abc.def"),
        ("POST", "/api/v1/notify/sms/inbound"),
    ],
)
async def test_public_routes_pass_without_a_token_as_anonymous(client, method, path):
    resp = await client.request(
        method,
        path,
        headers={"X-Tiepdan-Identity": "forged", "X-Tiepdan-Anything": "x", "Authorization": "Bearer whatever"},
        json={},
    )
    assert resp.status in (200, 201), await resp.text()
    echo = await resp.json()
    assert echo["path"] == path.removeprefix("/api/v1/roster").removeprefix("/api/v1/notify")
    assert echo["identity"]["sub"] == "anonymous"
    assert echo["identity"]["kind"] == "service"
    assert not echo["identity"].get("perms") and not echo["identity"].get("roles")
    headers = _headers(echo)
    assert "authorization" not in headers and "x-tiepdan-anything" not in headers
    assert len(headers["x-tiepdan-identity"]) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/roster/calendar/5/s3cret"),
        ("GET", "/api/v1/roster/calendar/5/s3cret.ics/more"),
        ("DELETE", "/api/v1/notify/ack/abc"),
        ("GET", "/api/v1/notify/sms/inbound"),
        ("GET", "/api/v1/notify/ack"),
    ],
)
async def test_other_routes_still_need_a_token(client, method, path):
    await problem(await client.request(method, path), 401, "unauthenticated")


async def test_public_routes_are_limited_per_address(make_client, database_url, accounts, upstreams, settings_factory):
    urls = {name: str(server.make_url("")).rstrip("/") for name, server in upstreams.items()}
    client = await make_client(create_app(settings_factory(database_url, urls, rate_limit_public=3)))
    statuses = [(await client.get("/api/v1/notify/ack/t")).status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_every_upstream_has_a_breaker(gateway):
    assert set(gateway.breakers) == set(DEFAULT_UPSTREAMS)


async def test_one_json_access_line_per_request(client, get_token, bearer, capsys):
    token = await get_token("admin")
    capsys.readouterr()
    resp = await client.get("/api/v1/intake/visits", headers={**bearer(token), "X-Request-ID": "req-42"})
    assert resp.status == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"tiepdan.access"' in line]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "req-42" and line["status"] == 200 and line["client"] == "admin"
    assert line["method"] == "GET" and line["path"] == "/api/v1/intake/visits" and line["service"] == "gateway"
    assert line["level"] == "INFO" and line["duration_ms"] >= 0
