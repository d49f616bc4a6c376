"""Forwarding to the services: identity, headers, errors, limits."""

import asyncio
import json
import time

import jwt
import pytest
from aiohttp import web

from gateway.app import create_app
from gateway.proxy import GATEWAY_KEY
from tiepdan_common.errors import PROBLEM_CONTENT_TYPE
from tiepdan_common.identity import Identity, sign_identity
from tiepdan_common.testing import TEST_IDENTITY_KEY

from .checks import problem


def _headers(echo: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in echo["headers"]:
        out.setdefault(name.lower(), []).append(value)
    return out


async def test_forwards_method_path_query_and_body(client, get_token, bearer):
    token = await get_token("district-board")
    resp = await client.post(
        "/api/v1/intake/visits?draft=1&q=%C4%91%E1%BA%A5t",
        json={"content": "Tranh chấp đất đai"},
        headers=bearer(token),
    )
    assert resp.status == 201, await resp.text()
    echo = await resp.json()
    assert echo["service"] == "intake" and echo["method"] == "POST" and echo["path"] == "/visits"
    assert echo["raw"] == "/visits?draft=1&q=%C4%91%E1%BA%A5t"
    assert echo["query"] == "draft=1&q=đất"
    assert json.loads(echo["body"]) == {"content": "Tranh chấp đất đai"}
    assert _headers(echo)["content-type"] == ["application/json"]
    assert resp.headers["X-Upstream"] == "intake"


async def test_forwards_each_service_to_its_own_upstream(client, get_token, bearer):
    token = await get_token("admin")
    for service, path in [("roster", "/agencies"), ("escalation", "/cases/1"), ("notify", "/inbox")]:
        echo = await (await client.get(f"/api/v1/{service}{path}", headers=bearer(token))).json()
        assert echo["service"] == service and echo["path"] == path


async def test_identity_is_signed_by_the_gateway(client, get_token, bearer):
    token = await get_token("btcd-01")
    echo = await (await client.get("/api/v1/intake/visits/12", headers=bearer(token))).json()
    identity = echo["identity"]
    assert identity["sub"] == "btcd-01" and identity["kind"] == "district" and identity["unit"] == "947"
    assert identity["roles"] == ["board"] and identity["officer"] == "btcd-01" and identity["name"] == "Nguyễn Văn An"
    assert "visits:read" in identity["perms"]
    header = _headers(echo)["x-tiepdan-identity"]
    assert len(header) == 1
    claims = jwt.decode(header[0], TEST_IDENTITY_KEY, algorithms=["HS256"], audience="tiepdan-services")
    assert claims["exp"] - claims["iat"] == 60


async def test_caller_sent_identity_headers_are_stripped_and_replaced(client, get_token, bearer):
    token = await get_token("commune-31684")
    forged = sign_identity(Identity(subject="admin", kind="admin"), TEST_IDENTITY_KEY)
    resp = await client.get(
        "/api/v1/intake/visits",
        headers={**bearer(token), "X-Tiepdan-Identity": forged, "x-tiepdan-whatever": "1", "X-TIEPDAN-Unit": "947"},
    )
    echo = await resp.json()
    headers = _headers(echo)
    assert headers["x-tiepdan-identity"] != [forged]
    assert not any(h.startswith("x-tiepdan-") and h != "x-tiepdan-identity" for h in headers)
    assert echo["identity"]["sub"] == "commune-31684" and echo["identity"]["kind"] == "commune"


async def test_hop_by_hop_and_credentials_are_not_forwarded(client, get_token, bearer):
    token = await get_token("admin")
    resp = await client.get(
        "/api/v1/intake/visits",
        headers={
            **bearer(token),
            "Connection": "keep-alive, X-Secret-Hop",
            "X-Secret-Hop": "1",
            "TE": "trailers",
            "Proxy-Authorization": "Basic eA==",
            "Upgrade": "h2c",
            "X-Other": "kept",
            "X-Forwarded-For": "10.0.0.1",
        },
    )
    headers = _headers(await resp.json())
    for name in ("authorization", "proxy-authorization", "te", "upgrade", "x-secret-hop"):
        assert name not in headers, name
    assert headers["x-other"] == ["kept"]
    assert headers["x-forwarded-for"] == ["10.0.0.1, 127.0.0.1"]
    assert "keep-alive" not in resp.headers  # the service's hop-by-hop answer headers are dropped too
    assert "Set-Cookie" in resp.headers  # end-to-end headers pass


async def test_forwarded_fields_are_the_gateways_own(client, get_token, bearer):
    token = await get_token("admin")
    resp = await client.get(
        "/api/v1/intake/visits",
        headers=[
            *bearer(token).items(),
            ("X-Forwarded-For", "10.0.0.1"),
            ("X-Forwarded-For", "10.0.0.2, 10.0.0.3"),
            ("X-Forwarded-Proto", "gopher"),
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Prefix", "/x"),
            ("x-MiXeD-Case", "Nguyễn Văn Tư"),
        ],
    )
    echo = await resp.json()
    headers = _headers(echo)
    assert headers["x-forwarded-for"] == ["10.0.0.1, 10.0.0.2, 10.0.0.3, 127.0.0.1"]
    assert headers["x-forwarded-proto"] == ["http"] and headers["x-forwarded-prefix"] == ["/api/v1/intake"]
    assert headers["x-forwarded-host"] != ["evil.example"] and len(headers["x-forwarded-host"]) == 1
    assert ["x-MiXeD-Case", "Nguyễn Văn Tư"] in echo["headers"]  # name and UTF-8 value exactly as sent
    assert headers["host"] == [client.server.app[GATEWAY_KEY].upstreams["intake"].endpoint.host_header]


async def test_bodyless_post_says_so(client, get_token, bearer):
    echo = await (await client.post("/api/v1/intake/visits", headers=bearer(await get_token("admin")))).json()
    assert _headers(echo)["content-length"] == ["0"] and echo["body"] == ""
    echo = await (await client.get("/api/v1/intake/visits", headers=bearer(await get_token("admin")))).json()
    assert "content-length" not in _headers(echo)


def test_service_urls_must_be_http(database_url, settings_factory):
    settings = settings_factory(database_url, {"roster": "ftp://127.0.0.1:21"})
    with pytest.raises(ValueError, match="ROSTER_URL"):
        create_app(settings)


async def test_request_id_is_passed_and_returned(client, get_token, bearer):
    token = await get_token("admin")
    resp = await client.get(
        "/api/v1/intake/visits", headers={**bearer(token), "X-Request-ID": "req-123", "X-Correlation-ID": "corr-9"}
    )
    headers = _headers(await resp.json())
    assert headers["x-request-id"] == ["req-123"] and headers["x-correlation-id"] == ["corr-9"]
    assert resp.headers["X-Request-ID"] == "req-123"


async def test_request_id_is_made_when_missing(client, get_token, bearer):
    token = await get_token("admin")
    resp = await client.get("/api/v1/intake/visits", headers=bearer(token))
    headers = _headers(await resp.json())
    assert headers["x-request-id"] == [resp.headers["X-Request-ID"]]
    assert len(resp.headers["X-Request-ID"]) == 36
    refused = await client.get("/api/v1/intake/visits")
    assert refused.headers["X-Request-ID"]


# --------------------------------------------------------------------------- upstream failures and limits


async def test_upstream_down_is_503_fast(
    make_client, database_url, accounts, settings_factory, closed_port, get_token, bearer
):
    settings = settings_factory(database_url, {"intake": f"http://127.0.0.1:{closed_port}"})
    down = await make_client(create_app(settings))
    resp = await down.post(
        "/api/v1/auth/token",
        json={"grant_type": "client_credentials", "client_id": "admin", "client_secret": "demo-secret-admin"},
    )
    token = (await resp.json())["access_token"]
    started = time.perf_counter()
    resp = await down.get("/api/v1/intake/visits", headers=bearer(token))
    elapsed = time.perf_counter() - started
    body = await problem(resp, 503, "service_unavailable")
    assert body["service"] == "intake"
    assert elapsed < 0.5


async def test_upstream_timeout_is_504(client, get_token, bearer):
    token = await get_token("admin")
    started = time.perf_counter()
    resp = await client.get("/api/v1/intake/slow?seconds=3", headers=bearer(token))
    await problem(resp, 504, "gateway_timeout")
    assert time.perf_counter() - started < 2.5


async def test_body_too_large_is_413(client, get_token, bearer, gateway):
    token = await get_token("admin")
    limit = gateway.settings.max_body_bytes
    resp = await client.post("/api/v1/intake/visits", data=b"x" * (limit + 1), headers=bearer(token))
    await problem(resp, 413, "payload_too_large")

    async def chunks():
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000

    resp = await client.post("/api/v1/intake/visits", data=chunks(), headers=bearer(token))
    await problem(resp, 413, "payload_too_large")
    resp = await client.post("/api/v1/intake/visits", data=b"x" * limit, headers=bearer(token))
    assert resp.status == 201


async def test_large_answers_are_streamed(client, get_token, bearer):
    token = await get_token("admin")
    resp = await client.get("/api/v1/intake/big?size=3000000", headers=bearer(token))
    assert resp.status == 200
    assert len(await resp.read()) == 3_000_000


async def test_upstream_status_and_problem_pass_through(client, get_token, bearer, gateway):
    """A service's own 401 (here: the gateway identity key the service does not share) comes back unchanged."""
    token = await get_token("admin")
    caller = gateway.verifier.verify(token)
    caller.identity_header = sign_identity(caller.identity, "some-other-key-0123456789abcdef0123")
    caller.identity_exp = time.time() + 60
    resp = await client.get("/api/v1/intake/visits", headers=bearer(token))
    assert resp.status == 401 and resp.content_type == PROBLEM_CONTENT_TYPE


async def test_empty_answers_pass(client, get_token, bearer):
    resp = await client.get("/api/v1/intake/empty", headers=bearer(await get_token("admin")))
    assert resp.status == 204
    assert await resp.read() == b""


async def test_location_is_made_public(client, get_token, bearer, upstreams):
    token = await get_token("admin")
    base = str(upstreams["intake"].make_url("")).rstrip("/")
    for location, public in [
        ("/visits/77", "/api/v1/intake/visits/77"),
        (f"{base}/visits/78", "/api/v1/intake/visits/78"),
        ("https://example.org/x", "https://example.org/x"),
    ]:
        resp = await client.post("/api/v1/intake/created", params={"location": location}, headers=bearer(token))
        assert resp.status == 201
        assert resp.headers["Location"] == public


async def test_services_learn_where_the_caller_came_from(client, get_token, bearer):
    echo = await (await client.get("/api/v1/roster/agencies", headers=bearer(await get_token("admin")))).json()
    headers = _headers(echo)
    assert headers["x-forwarded-prefix"] == ["/api/v1/roster"]
    assert headers["x-forwarded-proto"] == ["http"] and headers["x-forwarded-host"]


async def test_head_is_checked_as_get(client, get_token, bearer):
    resp = await client.head("/api/v1/intake/visits", headers=bearer(await get_token("commune-31684")))
    assert resp.status == 200
    resp = await client.head("/api/v1/intake/visits", headers=bearer(await get_token("police-947")))
    assert resp.status == 403


async def test_keep_alive_connections_are_shared(make_client, database_url, accounts, settings_factory, raw_service):
    service = await raw_service(lambda conn, index, head, body: raw_service.ok())
    settings = settings_factory(database_url, {"roster": service.url})
    client = await make_client(create_app(settings))
    token = await (
        await client.post(
            "/api/v1/auth/token",
            json={"grant_type": "client_credentials", "client_id": "admin", "client_secret": "demo-secret-admin"},
        )
    ).json()
    for _ in range(5):
        resp = await client.get("/api/v1/roster/agencies", headers={"Authorization": f"Bearer {token['access_token']}"})
        assert resp.status == 200
    # One request at a time: one connection, kept alive and reused.
    assert service.connections == 1 and len(service.requests) == 5
    assert client.server.app[GATEWAY_KEY].upstream.limit == settings.pool_limit


async def test_every_error_is_problem_json(client):
    resp = await client.request("PATCH", "/api/v1/auth/jwks")
    await problem(resp, 405)
    assert "Allow" in resp.headers


def test_app_factory_is_usable_by_gunicorn(monkeypatch, tmp_path):
    import inspect

    from gateway.app import app_factory

    monkeypatch.setenv("GATEWAY_DATABASE_URL", f"sqlite:///{tmp_path / 'g.db'}")
    assert inspect.iscoroutinefunction(app_factory)
    app = asyncio.run(app_factory())
    assert isinstance(app, web.Application)
