"""The token endpoint and the JWKS, against SQLite and PostgreSQL."""

import base64
import datetime as dt

import jwt
import pytest
from sqlalchemy import update

from gateway.keys import public_key_from_jwk
from gateway.models import UserAccount
from tiepdan_common.errors import PROBLEM_CONTENT_TYPE


async def _problem(resp, status: int) -> dict:
    assert resp.status == status, await resp.text()
    assert resp.content_type == PROBLEM_CONTENT_TYPE
    body = await resp.json(content_type=None)
    assert body["status"] == status and body["code"] and body["detail"]
    assert body["request_id"] == resp.headers["X-Request-ID"]
    return body


async def test_client_credentials_token(client):
    resp = await client.post(
        "/api/v1/auth/token",
        json={"grant_type": "client_credentials", "client_id": "commune-31684", "client_secret": "demo-secret-31684"},
    )
    assert resp.status == 200
    assert resp.headers["Cache-Control"] == "no-store"
    body = await resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["kind"] == "commune" and body["unit"] == "31684"
    assert "visits:write" in body["permissions"] and "roster:write" not in body["permissions"]
    jwks = await (await client.get("/api/v1/auth/jwks")).json()
    kid = jwt.get_unverified_header(body["access_token"])["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(
        body["access_token"],
        public_key_from_jwk(jwk),
        algorithms=["EdDSA"],
        audience="tiepdan-api",
        issuer="tiepdan-gateway",
    )
    assert claims["sub"] == "commune-31684" and claims["kind"] == "commune" and claims["unit"] == "31684"
    assert claims["officer"] is None and claims["name"] == "commune-31684"
    assert claims["perms"] == body["permissions"] and claims["roles"] == []
    assert claims["exp"] - claims["iat"] == 900


async def test_password_token_for_an_officer(client):
    resp = await client.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": "ttr-01", "password": "demo-ttr-01"}
    )
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["kind"] == "district" and body["unit"] == "947"
    assert {"identity:read", "audit:read", "visits:write"} <= set(body["permissions"])
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "ttr-01" and claims["officer"] == "ttr-01" and claims["roles"] == ["inspector"]
    assert claims["name"] == "Phạm Minh Đức"


async def test_police_officer_gets_police_permissions(client):
    resp = await client.post(
        "/api/v1/auth/token", json={"grant_type": "password", "username": "ca-01", "password": "demo-ca-01"}
    )
    body = await resp.json()
    assert body["kind"] == "police" and "alerts:ack" in body["permissions"]


async def test_basic_client_authentication(client):
    credentials = base64.b64encode(b"police-947:demo-secret-police").decode()
    resp = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {credentials}"},
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["kind"] == "police"
    wrong = base64.b64encode(b"police-947:nope").decode()
    resp = await client.post(
        "/api/v1/auth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {wrong}"}
    )
    await _problem(resp, 401)
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="tiepdan"'


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": "client_credentials", "client_id": "commune-31684", "client_secret": "wrong"},
        {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "demo-secret-31684"},
    ],
)
async def test_wrong_client_secret_is_401(client, data):
    resp = await client.post("/api/v1/auth/token", json=data)
    body = await _problem(resp, 401)
    assert body["code"] == "invalid_client"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")  # no Basic challenge: no browser login dialog


async def test_disabled_client_is_refused(client, accounts):
    accounts.set_client_disabled("police-947")
    resp = await client.post(
        "/api/v1/auth/token",
        json={"grant_type": "client_credentials", "client_id": "police-947", "client_secret": "demo-secret-police"},
    )
    await _problem(resp, 401)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "grant_type"),
        ({"grant_type": "client_credentials", "client_id": "admin"}, "client_secret"),
        ({"grant_type": "client_credentials", "client_secret": "x"}, "client_id"),
        ({"grant_type": "password", "password": "x"}, "username"),
        ({"grant_type": "password", "username": "btcd-01"}, "password"),
        ({"grant_type": "authorization_code", "code": "x"}, "grant_type"),
    ],
)
async def test_missing_fields_are_422_naming_the_field(client, data, field):
    body = await _problem(await client.post("/api/v1/auth/token", json=data), 422)
    assert body["code"] == "validation_failed"
    assert field in {e["field"] for e in body["errors"]}


async def test_bad_bodies(client):
    await _problem(
        await client.post("/api/v1/auth/token", data=b"{not json", headers={"Content-Type": "application/json"}), 400
    )
    await _problem(await client.post("/api/v1/auth/token", json=["grant_type"]), 400)
    await _problem(await client.post("/api/v1/auth/token", data=b"x", headers={"Content-Type": "text/plain"}), 415)
    await _problem(await client.get("/api/v1/auth/token"), 405)


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/auth/revoke"])
async def test_a_form_that_cannot_be_read_is_a_400(client, path):
    broken = {"Content-Type": "multipart/form-data; boundary=tiepdan"}
    body = await _problem(await client.post(path, data=b'{"grant_type": "client_credentials"}', headers=broken), 400)
    assert body["code"] == "bad_request"


async def test_lockout_after_five_failures(client, accounts):
    wrong = {"grant_type": "password", "username": "btcd-01", "password": "not-it"}
    right = {"grant_type": "password", "username": "btcd-01", "password": "demo-btcd-01"}
    for _ in range(4):
        assert (await _problem(await client.post("/api/v1/auth/token", json=wrong), 401))["code"] == "invalid_grant"
    # A success in between starts the count again.
    assert (await client.post("/api/v1/auth/token", json=right)).status == 200
    for _ in range(5):
        await _problem(await client.post("/api/v1/auth/token", json=wrong), 401)
    resp = await client.post("/api/v1/auth/token", json=right)
    body = await _problem(resp, 401)
    assert body["code"] == "account_locked"
    assert 880 <= int(resp.headers["Retry-After"]) <= 901
    # Other accounts are not affected.
    assert (
        await client.post(
            "/api/v1/auth/token", json={"grant_type": "password", "username": "ttr-01", "password": "demo-ttr-01"}
        )
    ).status == 200
    # Fifteen minutes later the right password works again.
    with accounts.db.session() as session:
        session.execute(
            update(UserAccount)
            .where(UserAccount.username == "btcd-01")
            .values(locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    assert (await client.post("/api/v1/auth/token", json=right)).status == 200
    user = next(u for u in accounts.list_users() if u.username == "btcd-01")
    assert user.failed_attempts == 0 and user.locked_until is None and user.last_login_at is not None


async def test_unknown_user_is_401(client):
    body = await _problem(
        await client.post("/api/v1/auth/token", json={"grant_type": "password", "username": "who", "password": "x"}),
        401,
    )
    assert body["code"] == "invalid_grant"


async def test_jwks_publishes_the_current_key(client, get_token):
    resp = await client.get("/api/v1/auth/jwks")
    assert resp.status == 200
    keys = (await resp.json())["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA" and key["use"] == "sig"
    assert "d" not in key  # never the private part
    token = await get_token("admin")
    assert jwt.get_unverified_header(token)["kid"] == key["kid"]


async def test_rotation_keeps_old_tokens_valid(client, gateway, get_token, bearer):
    old_token = await get_token("district-board")
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_kid = gateway.keys.rotate()  # as `tiepdan-gateway-admin rotate-signing-key` in another process does
    assert new_kid != old_kid
    new_token = await get_token("district-board")
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    kids = [k["kid"] for k in (await (await client.get("/api/v1/auth/jwks")).json())["keys"]]
    assert kids == [new_kid, old_kid]
    for token in (old_token, new_token):
        resp = await client.get("/api/v1/intake/visits", headers=bearer(token))
        assert resp.status == 200, await resp.text()


async def test_key_made_by_another_process_is_learnt(client, gateway, get_token, bearer, settings_factory):
    """A token signed with a key this worker has not loaded yet is checked after one reload."""
    token = await get_token("admin")
    gateway.verifier.set_keys([])  # as if the key was made after this worker loaded its keys
    resp = await client.get("/api/v1/notify/inbox", headers=bearer(token))
    assert resp.status == 200, await resp.text()


async def test_retired_key_leaves_the_jwks_when_its_tokens_are_dead(client, gateway):
    await client.get("/api/v1/auth/jwks")
    gateway.keys.rotate(now=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=gateway.settings.token_ttl_seconds + 60))
    kids = [k["kid"] for k in (await (await client.get("/api/v1/auth/jwks")).json())["keys"]]
    assert len(kids) == 1
