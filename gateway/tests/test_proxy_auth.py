"""Through the gateway: tokens checked (401) and permissions (403) before anything is forwarded."""

import asyncio
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.keys import public_jwk
from tiepdan_common.identity import Identity, sign_identity
from tiepdan_common.testing import TEST_IDENTITY_KEY

from .checks import problem

# --------------------------------------------------------------------------- authentication


async def test_no_token_is_401_with_challenge(client):
    resp = await client.get("/api/v1/intake/visits")
    await problem(resp, 401, "unauthenticated")
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic YWRtaW46eA==", "Bearer", "Bearer    ", "Token abc"])
async def test_malformed_authorization_is_401(client, header):
    resp = await client.get("/api/v1/intake/visits", headers={"Authorization": header})
    await problem(resp, 401, "unauthenticated")
    assert "WWW-Authenticate" in resp.headers


def _claims(**changes) -> dict:
    now = int(time.time())
    return {
        "sub": "admin",
        "kind": "admin",
        "unit": "947",
        "roles": [],
        "perms": [],
        "officer": None,
        "name": "x",
        "iss": "tiepdan-gateway",
        "aud": "tiepdan-api",
        "iat": now,
        "exp": now + 600,
        **changes,
    }


async def test_forged_expired_foreign_and_unsigned_tokens_are_401(client, gateway, get_token, bearer):
    good = await get_token("commune-31684")
    kid = jwt.get_unverified_header(good)["kid"]
    header, payload, signature = good.split(".")
    stranger = Ed25519PrivateKey.generate()
    current_kid, current_key = gateway.keys.current()
    forged_payload = jwt.utils.base64url_encode(json.dumps(_claims()).encode()).decode()
    tokens = {
        "forged": f"{header}.{forged_payload}.{signature}",
        "bad signature": f"{header}.{payload}.{signature[:-4]}AAAA",
        "expired": jwt.encode(
            _claims(iat=int(time.time()) - 2000, exp=int(time.time()) - 1000),
            current_key,
            algorithm="EdDSA",
            headers={"kid": current_kid},
        ),
        "other key, our kid": jwt.encode(_claims(), stranger, algorithm="EdDSA", headers={"kid": kid}),
        "other key": jwt.encode(
            _claims(), stranger, algorithm="EdDSA", headers={"kid": public_jwk(stranger.public_key())["kid"]}
        ),
        "alg none": jwt.encode(_claims(), None, algorithm="none", headers={"kid": kid}),
        "no kid": jwt.encode(_claims(), current_key, algorithm="EdDSA"),
        "identity key": sign_identity(Identity(subject="admin", kind="admin"), TEST_IDENTITY_KEY),
    }
    for name, token in tokens.items():
        resp = await client.get("/api/v1/intake/visits", headers=bearer(token))
        body = await problem(resp, 401, "unauthenticated")
        assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"], name
        assert body["detail"], name
    assert (await client.get("/api/v1/intake/visits", headers=bearer(good))).status == 200


async def test_token_verification_is_cached(client, gateway, get_token, bearer, monkeypatch):
    token = await get_token("admin")
    assert (await client.get("/api/v1/intake/visits", headers=bearer(token))).status == 200
    calls = []
    original = gateway.verifier._decode
    monkeypatch.setattr(gateway.verifier, "_decode", lambda *a: calls.append(a) or original(*a))
    for _ in range(3):
        assert (await client.get("/api/v1/intake/visits", headers=bearer(token))).status == 200
    assert calls == []


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        ("commune-31684", "GET", "/api/v1/intake/visits", 200),
        ("commune-31684", "POST", "/api/v1/intake/visits", 201),
        ("commune-31684", "POST", "/api/v1/roster/periods", 403),
        ("commune-31684", "GET", "/api/v1/roster/on-duty", 200),
        ("police-947", "GET", "/api/v1/intake/visits", 403),
        ("police-947", "GET", "/api/v1/escalation/cases/3", 200),
        ("police-947", "POST", "/api/v1/escalation/cases", 403),
        ("province-94", "GET", "/api/v1/notify/inbox", 200),
        ("district-board", "POST", "/api/v1/roster/periods", 201),
        ("district-board", "POST", "/api/v1/notify/inbox/5/ack", 201),
        ("district-board", "GET", "/api/v1/intake/secrets", 403),  # not in the route table
        ("svc-notify", "GET", "/api/v1/roster/on-duty", 200),
        ("svc-notify", "GET", "/api/v1/intake/visits", 403),
        ("svc-notify", "GET", "/api/v1/intake/holidays", 200),  # reference data: reference:read, no visit
        ("svc-notify", "GET", "/api/v1/intake/reference-changes", 403),
        ("commune-31684", "GET", "/api/v1/intake/units", 200),
        ("police-947", "GET", "/api/v1/intake/units", 403),
        ("btcd-01", "PUT", "/api/v1/roster/assignments/4", 200),
        ("ca-01", "GET", "/api/v1/roster/officers", 200),
        ("ca-01", "DELETE", "/api/v1/roster/officers/1", 403),
        ("admin", "GET", "/api/v1/intake/secrets", 200),  # admin passes routes not in the table
        ("admin", "DELETE", "/api/v1/notify/rules/1", 200),
    ],
)
async def test_permission_table(client, get_token, bearer, who, method, path, status):
    resp = await client.request(method, path, headers=bearer(await get_token(who)), json={})
    if status == 403:
        body = await problem(resp, 403, "forbidden")
        assert body["detail"]
    else:
        assert resp.status == status, await resp.text()


async def test_forbidden_names_the_missing_permission(client, get_token, bearer):
    resp = await client.post("/api/v1/roster/periods", headers=bearer(await get_token("police-947")), json={})
    body = await problem(resp, 403, "forbidden")
    assert body["permission"] == "roster:write"


async def _raw_get(client, target: str, token: str) -> tuple[int, bytes]:
    """Send ``GET target`` exactly as written (test clients normalise dot segments away)."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/intake/visits/../petitions", 400),
        ("/api/v1/intake/visits/%2e%2e/petitions", 400),
        ("/api/v1/intake//visits", 400),
        ("/api/v1/intake/./visits", 400),
        ("/api/v1/intake/visits/.", 400),
        ("/api/v1/%69ntake/visits", 400),
        ("/api/v1/intake%2Fvisits", 404),  # the router does not take it for a service path at all
    ],
)
async def test_dot_segments_and_encoded_prefixes_are_refused(client, get_token, path, status):
    got, body = await _raw_get(client, path, await get_token("district-board"))
    assert got == status, body
    assert json.loads(body)["code"] in ("bad_request", "not_found")


async def test_unknown_service_is_404(client, get_token, bearer):
    token = await get_token("admin")
    await problem(await client.get("/api/v1/reports/x", headers=bearer(token)), 404, "not_found")
    await problem(await client.get("/api/v1/intakes/visits", headers=bearer(token)), 404, "not_found")
    await problem(await client.get("/nowhere"), 404, "not_found")
