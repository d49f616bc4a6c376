"""Officers' refresh tokens: a sign-in that lasts the working day, rotating, revocable, bounded by idleness."""

import datetime as dt

import pytest

from gateway.accounts import AuthenticationFailed
from gateway.refresh import RefreshStore
from tiepdan_common.models import utcnow


async def _sign_in(client, **extra):
    resp = await client.post(
        "/api/v1/auth/token",
        json={"grant_type": "password", "username": "btcd-01", "password": "demo-btcd-01", **extra},
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def _refresh(client, token):
    return await client.post("/api/v1/auth/token", json={"grant_type": "refresh_token", "refresh_token": token})


async def test_a_refresh_token_is_spent_once_for_a_new_pair(client):
    first = await _sign_in(client)
    assert first["refresh_token"] and first["refresh_expires_in"] == 3600
    resp = await _refresh(client, first["refresh_token"])
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    second = await resp.json()
    assert second["access_token"] != first["access_token"] and second["refresh_token"] != first["refresh_token"]
    assert second["permissions"] == first["permissions"]
    ok = await client.get("/api/v1/intake/visits", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert ok.status == 200


async def test_a_spent_token_used_again_later_ends_the_whole_family(client, gateway):
    first = await _sign_in(client)
    second = await (await _refresh(client, first["refresh_token"])).json()
    again = await _refresh(client, first["refresh_token"])  # within the grace: refused, the family lives
    assert again.status == 401 and (await again.json())["code"] == "invalid_grant"
    store: RefreshStore = gateway.refresh
    later = utcnow() + dt.timedelta(seconds=30)
    with pytest.raises(AuthenticationFailed):
        store.rotate(first["refresh_token"], now=later)  # a copy in other hands
    with pytest.raises(AuthenticationFailed):
        store.rotate(second["refresh_token"], now=later)  # so the family is over


async def test_an_idle_or_ended_family_is_refused(client, gateway):
    store: RefreshStore = gateway.refresh
    first = await _sign_in(client)
    with pytest.raises(AuthenticationFailed):
        store.rotate(first["refresh_token"], now=utcnow() + dt.timedelta(seconds=3601))
    board = await _sign_in(client, wall_board=True)
    token = board["refresh_token"]
    now = utcnow()
    for hours in range(1, 48, 1):  # a wall board refreshing every hour stays signed in for days
        token = store.rotate(token, now=now + dt.timedelta(hours=hours, seconds=-60)).token
    ordinary = await _sign_in(client)
    token = ordinary["refresh_token"]
    for hours in range(1, 12):
        token = store.rotate(token, now=now + dt.timedelta(hours=hours, seconds=-60)).token
    with pytest.raises(AuthenticationFailed):  # past the working day's 12 hours
        store.rotate(token, now=now + dt.timedelta(hours=12, seconds=30))


async def test_signing_out_and_disabling_end_the_refresh_tokens(client, accounts):
    first = await _sign_in(client)
    assert (await client.post("/api/v1/auth/revoke", json={"token": first["refresh_token"]})).status == 200
    assert (await _refresh(client, first["refresh_token"])).status == 401
    assert (await client.post("/api/v1/auth/revoke", json={"token": "unknown"})).status == 200
    second = await _sign_in(client)
    accounts.set_user_disabled("btcd-01")
    assert (await _refresh(client, second["refresh_token"])).status == 401


async def test_clients_get_no_refresh_token_and_a_missing_one_is_422(client):
    resp = await client.post(
        "/api/v1/auth/token",
        json={"grant_type": "client_credentials", "client_id": "admin", "client_secret": "demo-secret-admin"},
    )
    assert "refresh_token" not in await resp.json()
    missing = await client.post("/api/v1/auth/token", json={"grant_type": "refresh_token"})
    assert missing.status == 422 and (await missing.json())["errors"][0]["field"] == "refresh_token"
