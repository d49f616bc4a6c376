"""The dashboard's sign-in and pages against hostile links and shared computers (issue #23)."""

from __future__ import annotations

import pytest


def _csrf(client) -> str:
    client.get("/login")
    with client.session_transaction() as s:
        return s["csrf"]


@pytest.mark.parametrize("target", [
    "/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "/%5cevil.example", "/\\evil.example",
    "//evil.example", "https://evil.example/", "/%20/evil.example", "%2f%2fevil.example", "/%09%09/evil.example",
    "javascript:alert(1)",
])
def test_sign_in_goes_only_to_a_local_path(client, target):
    csrf = _csrf(client)
    resp = client.post(f"/login?next={target}", data={"username": "btcd-01", "password": "demo-btcd-01",
                                                      "csrf_token": csrf})
    assert resp.status_code == 302
    location = resp.location
    assert location == "/", (target, location)


def test_sign_in_keeps_a_local_next_with_its_query(client):
    csrf = _csrf(client)
    resp = client.post("/login?next=/board%3Fview%3Dwall", data={"username": "btcd-01", "password": "demo-btcd-01",
                                                                "csrf_token": csrf})
    assert resp.location == "/board?view=wall"


def test_sign_in_without_its_csrf_token_is_refused_and_asks_no_token(client, fake_gateway):
    _csrf(client)
    resp = client.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01"})
    assert resp.status_code == 400
    wrong = client.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": "x"})
    assert wrong.status_code == 400
    assert fake_gateway.sent("POST", "/auth/token") == []
    fresh = client.application.test_client()  # never saw the form: no session at all
    assert fresh.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01"}).status_code == 400
    assert fake_gateway.sent("POST", "/auth/token") == []


def test_pages_are_never_stored_by_a_browser_or_a_proxy(signed_in, fake_gateway):
    client, _csrf_token = signed_in
    fake_gateway.on("GET", "/notify/inbox", 200, [])
    for path in ("/inbox", "/login", "/"):
        resp = client.get(path)
        assert "no-store" in resp.headers.get("Cache-Control", ""), path
