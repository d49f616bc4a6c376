"""The dashboard's sign-in and pages against hostile links and shared computers (issue #23)."""

from __future__ import annotations

import pytest


def _csrf(client) -> str:
    client.get("/login")
    with client.session_transaction() as s:
        return s["csrf"]


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d/evil.example",
        "/%5cevil.example",
        "/\\evil.example",
        "//evil.example",
        "https://evil.example/",
        "/%20/evil.example",
        "%2f%2fevil.example",
        "/%09%09/evil.example",
        "javascript:alert(1)",
    ],
)
def test_sign_in_goes_only_to_a_local_path(client, target):
    csrf = _csrf(client)
    resp = client.post(
        f"/login?next={target}", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf}
    )
    assert resp.status_code == 302
    location = resp.location
    assert location == "/", (target, location)


def test_sign_in_keeps_a_local_next_with_its_query(client):
    csrf = _csrf(client)
    resp = client.post(
        "/login?next=/board%3Fview%3Dwall", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf}
    )
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


# --------------------------------------------------------------------------- a sign-in that lasts the day


def _with_refresh(fake_gateway, refresh_token="rt-1"):
    route = ("POST", "/api/v1/auth/token")
    status, body = fake_gateway.routes[route]
    fake_gateway.routes[route] = (status, {**body, "refresh_token": refresh_token, "refresh_expires_in": 3600})


def test_an_expired_access_token_is_renewed_with_the_refresh_token(client, fake_gateway):
    _with_refresh(fake_gateway)
    csrf = _csrf(client)
    assert (
        client.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf}).status_code
        == 302
    )
    fake_gateway.on("GET", "/notify/inbox", 200, [])
    with client.session_transaction() as s:
        s["expires_at"] = 0  # the access token ran out
    resp = client.get("/inbox")
    assert resp.status_code == 200
    grants = [r["json"]["grant_type"] for r in fake_gateway.sent("POST", "/auth/token")]
    assert grants == ["password", "refresh_token"]
    assert fake_gateway.sent("POST", "/auth/token")[-1]["json"]["refresh_token"] == "rt-1"


def test_a_refused_refresh_signs_the_officer_out(client, fake_gateway):
    _with_refresh(fake_gateway)
    csrf = _csrf(client)
    client.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf})
    fake_gateway.on("POST", "/auth/token", 401, {"status": 401, "code": "invalid_grant", "detail": "spent"})
    with client.session_transaction() as s:
        s["expires_at"] = 0
    resp = client.get("/inbox")
    assert resp.status_code == 302 and resp.location.startswith("/login")


def test_a_401_mid_session_is_cured_once_by_a_refresh(client, fake_gateway):
    _with_refresh(fake_gateway)
    csrf = _csrf(client)
    client.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf})
    fake_gateway.on("GET", "/notify/inbox", 401, {"status": 401, "code": "unauthenticated", "detail": "revoked"})
    resp = client.get("/inbox")
    assert resp.status_code in (200, 302)
    assert [r["json"]["grant_type"] for r in fake_gateway.sent("POST", "/auth/token")][-1] == "refresh_token"
    assert len(fake_gateway.sent("GET", "/notify/inbox")) == 2  # once more with the new token, not a loop


def test_a_wall_board_asks_for_a_lasting_sign_in_and_signing_out_revokes(client, fake_gateway):
    _with_refresh(fake_gateway, "rt-wall")
    fake_gateway.on("POST", "/auth/revoke", 200, {})
    client.get("/login?wall_board=1")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    form = client.get("/login?wall_board=1").get_data(as_text=True)
    assert 'name="wall_board" value="1"' in form
    assert 'name="wall_board"' not in client.get("/login").get_data(as_text=True)
    client.post(
        "/login?wall_board=1",
        data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf, "wall_board": "1"},
    )
    assert fake_gateway.sent("POST", "/auth/token")[0]["json"]["wall_board"] is True
    with client.session_transaction() as s:
        csrf = s["csrf"]
    client.post("/logout", data={"csrf_token": csrf})
    assert fake_gateway.sent("POST", "/auth/revoke")[0]["json"] == {"token": "rt-wall"}


# --------------------------------------------------------------------------- where a sign-in may lead

HOSTILE_NEXT = [
    "https:evil",
    "https:evil.example",
    "http:/evil.example",
    "https:%2f%2fevil.example",
    "https%3A%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "/%5C/evil.example",
    "///evil.example",
    "//%09evil.example",
    "%09/evil.example",
    "/%E3%80%80/evil.example",  # an ideographic space
    "/%C2%A0/evil.example",  # a no-break space
    "/%00/evil.example",
    "data:text/html,x",
    "/login?next=//evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_in_refuses_other_hostile_next_values(client, target):
    csrf = _csrf(client)
    resp = client.post(
        f"/login?next={target}", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf}
    )
    assert resp.status_code == 302 and resp.location == "/", (target, resp.location)


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example", *HOSTILE_NEXT])
def test_a_doubly_encoded_next_stays_a_path_of_this_site(client, target):
    """Encoded once more, the value reaches the app still encoded: whatever comes back, a browser stays here."""
    from urllib.parse import quote, urljoin, urlsplit

    csrf = _csrf(client)
    resp = client.post(
        f"/login?next={quote(target, safe='')}",
        data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf},
    )
    location = resp.location
    assert resp.status_code == 302
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    assert not any(c.isspace() or ord(c) < 0x20 for c in location), location
    assert urlsplit(urljoin("https://tiepdan.example/login", location)).netloc == "tiepdan.example"


# --------------------------------------------------------------------------- every form asks its token


def _post_paths(app) -> list[str]:
    from werkzeug.routing import IntegerConverter

    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            values = {n: 1 if isinstance(c, IntegerConverter) else "x1" for n, c in rule._converters.items()}
            paths.append(app.url_map.bind("localhost").build(rule.endpoint, values))
    return sorted(paths)


def test_every_form_is_refused_without_its_csrf_token(signed_in, app, fake_gateway):
    client, csrf = signed_in
    paths = _post_paths(app)
    assert {"/login", "/logout", "/lang/x1", "/desk", "/board/notices"} <= set(paths)
    before = len(fake_gateway.requests)
    with client.session_transaction() as s:
        lang = s.get("lang")
    for path in paths:
        for data in ({"username": "btcd-01", "password": "x"}, {"csrf_token": "not-the-token"}):
            resp = client.post(path, data=data)
            assert resp.status_code == 400, (path, data, resp.status_code)
        resp = client.post(path, data={"csrf_token": csrf[:-1]}, headers={"X-CSRF-Token": "forged"})
        assert resp.status_code == 400, path
    # Nothing was sent on (the error page itself only reads the unit's name for its header).
    assert [(r["method"], r["path"]) for r in fake_gateway.requests[before:] if r["method"] != "GET"] == []
    with client.session_transaction() as s:
        assert s.get("lang") == lang and s["csrf"] == csrf and s.get("user")  # still signed in, nothing changed


def test_the_language_button_carries_the_token(client):
    csrf = _csrf(client)
    page = client.get("/login").get_data(as_text=True)
    assert f'name="csrf_token" value="{csrf}"' in page
    assert client.post("/lang/en", data={"csrf_token": csrf}).status_code == 302
    with client.session_transaction() as s:
        assert s["lang"] == "en"


@pytest.mark.parametrize(
    "referrer",
    [
        "http://localhost//evil.example",
        "http://localhost/\\evil.example",
        "http://localhost/%09/evil.example",
        "https://evil.example/board",
        "http://localhost/.//evil.example",
    ],
)
def test_the_language_button_goes_back_only_to_a_page_of_this_site(client, referrer):
    """The button returns to the page it was pressed on; a page address made to look like another site's
    (our own 404 page at ``//evil.example``) leads home instead."""
    from urllib.parse import urljoin, urlsplit

    csrf = _csrf(client)
    resp = client.post("/lang/en", data={"csrf_token": csrf}, headers={"Referer": referrer})
    assert resp.status_code == 302
    assert urlsplit(urljoin("http://localhost/login", resp.location)).netloc == "localhost", resp.location
    assert not resp.location.startswith("//") and "\\" not in resp.location


def test_the_language_button_goes_back_to_the_page_it_was_pressed_on(client):
    csrf = _csrf(client)
    resp = client.post("/lang/en", data={"csrf_token": csrf}, headers={"Referer": "http://localhost/board?view=wall"})
    assert resp.location == "/board?view=wall"
