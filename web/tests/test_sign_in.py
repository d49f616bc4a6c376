"""The sign-in, its errors, the language and a gateway that is down, against the stand-in gateway."""

from __future__ import annotations

from samples import page


def test_pages_need_a_signed_in_officer(client):
    for path in ("/desk", "/register", "/board", "/inbox", "/today", "/reports"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp.location.startswith("/login"), path


def test_sign_in_keeps_the_token_on_the_server_and_shows_who_is_signed_in(client, fake_gateway):
    client.get("/login")
    before = client.get_cookie("tiepdan_session").value
    with client.session_transaction() as s:
        csrf = s["csrf"]
    resp = client.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf})
    assert resp.status_code == 302
    assert client.get_cookie("tiepdan_session").value != before  # a new session id at sign-in
    (token_request,) = fake_gateway.sent("POST", "/auth/token")
    assert token_request["json"] == {"grant_type": "password", "username": "btcd-01", "password": "demo-btcd-01"}
    fake_gateway.on("GET", "/notify/inbox", 200, [])
    html = page(client.get("/inbox"))
    assert "Nguyễn Văn An" in html and "Ban Tiếp công dân huyện Mỹ Xuyên" in html
    assert "Cán bộ Ban Tiếp công dân" in html
    access_token = fake_gateway.routes[("POST", "/api/v1/auth/token")][1]["access_token"]
    assert access_token not in html  # never handed to the page
    cookie = client.get_cookie("tiepdan_session")
    assert cookie.http_only and access_token not in cookie.value
    assert fake_gateway.sent("GET", "/notify/inbox")[-1]["headers"]["Authorization"] == f"Bearer {access_token}"


def test_a_wrong_password_is_told_in_vietnamese(client, fake_gateway):
    fake_gateway.on("POST", "/auth/token", 401, {"status": 401, "code": "invalid_grant", "detail": "Unknown user"})
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    resp = client.post("/login", data={"username": "x", "password": "y", "csrf_token": csrf})
    assert resp.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page(resp)


def test_a_post_without_the_csrf_token_is_refused(signed_in, fake_gateway):
    client, _csrf = signed_in
    resp = client.post("/desk", data={"category": "complaint"})
    assert resp.status_code == 400 and "Biểu mẫu này đã hết hiệu lực" in page(resp)
    assert not fake_gateway.sent("POST", "/intake/visits")


def test_an_expired_token_sends_the_officer_back_to_sign_in(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/notify/inbox", 401, {"status": 401, "code": "unauthenticated", "detail": "expired"})
    resp = client.get("/inbox/list", headers={"HX-Request": "true"})
    assert resp.headers["HX-Redirect"].startswith("/login")
    assert client.get("/inbox").status_code == 302


def test_english_is_a_choice(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/notify/inbox", 200, [])
    client.post("/lang/en", data={"csrf_token": csrf})
    html = page(client.get("/inbox"))
    assert "My inbox" in html and "Sign out" in html
    client.post("/lang/vi", data={"csrf_token": csrf})
    assert "Hộp thư của tôi" in page(client.get("/inbox"))


def test_the_gateway_being_down_is_a_message_not_a_crash(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.close()
    resp = client.get("/register")
    assert resp.status_code == 200
    assert "Không kết nối được với máy chủ." in page(resp)
