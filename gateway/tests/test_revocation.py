"""Tokens already issued stop working within seconds when their client or officer is disabled or changed."""

import asyncio
import time

import pytest

from gateway.app import create_app

REFRESH = 0.2  # seconds between two reads of the token versions in these tests


@pytest.fixture
def gateway_settings(database_url, upstreams, settings_factory):
    urls = {name: str(server.make_url("")).rstrip("/") for name, server in upstreams.items()}
    return settings_factory(database_url, urls, revocation_refresh_seconds=REFRESH)


async def _status_within(client, path, token, expected, seconds=3.0):
    deadline = time.monotonic() + seconds
    while True:
        resp = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        if resp.status == expected or time.monotonic() > deadline:
            return resp
        await asyncio.sleep(0.05)


async def test_a_disabled_client_s_token_stops_working_in_every_gateway_process(
    client, make_client, gateway_settings, get_token, accounts
):
    other = await make_client(create_app(gateway_settings))  # a second process on the same database
    token = await get_token("police-947")
    for gw in (client, other):
        resp = await gw.get("/api/v1/escalation/incidents", headers={"Authorization": f"Bearer {token}"})
        assert resp.status == 200
    accounts.set_client_disabled("police-947")
    for gw in (client, other):
        resp = await _status_within(gw, "/api/v1/escalation/incidents", token, 401)
        assert resp.status == 401
        assert "revoked" in (await resp.json(content_type=None))["detail"]
    accounts.set_client_disabled("police-947", disabled=False)
    await asyncio.sleep(REFRESH * 3)
    stale = await client.get("/api/v1/escalation/incidents", headers={"Authorization": f"Bearer {token}"})
    assert stale.status == 401  # still: re-enabling revives none
    fresh = await get_token("police-947")
    resp = await client.get("/api/v1/escalation/incidents", headers={"Authorization": f"Bearer {fresh}"})
    assert resp.status == 200


async def test_a_disabled_officer_s_token_stops_working(client, get_token, accounts):
    token = await get_token("btcd-01")
    assert (await client.get("/api/v1/intake/visits", headers={"Authorization": f"Bearer {token}"})).status == 200
    accounts.set_user_disabled("btcd-01")
    assert (await _status_within(client, "/api/v1/intake/visits", token, 401)).status == 401


async def test_changed_roles_end_the_tokens_that_carry_the_old_permissions(client, get_token, accounts, credentials):
    token = await get_token("ttr-01")  # inspector: audit:read
    resp = await client.get("/api/v1/intake/identity-reads", headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200
    password, kind, _roles, code, name = credentials["users"]["ttr-01"]
    accounts.upsert_user(
        "ttr-01", password=password, full_name=name, kind=kind, unit="947", roles=("board",), officer_code=code
    )
    assert (await _status_within(client, "/api/v1/intake/identity-reads", token, 401)).status == 401
    fresh = await get_token("ttr-01")
    resp = await client.get("/api/v1/intake/identity-reads", headers={"Authorization": f"Bearer {fresh}"})
    assert resp.status == 403


async def test_an_unchanged_seed_revokes_nothing(client, get_token, accounts, credentials):
    token = await get_token("btcd-01")
    password, kind, roles, code, name = credentials["users"]["btcd-01"]
    accounts.upsert_user(
        "btcd-01", password=password, full_name=name, kind=kind, unit="947", roles=roles, officer_code=code
    )
    await asyncio.sleep(REFRESH * 3)
    assert (await client.get("/api/v1/intake/visits", headers={"Authorization": f"Bearer {token}"})).status == 200
