"""The Flask app against a stand-in gateway (a real local HTTP server): sign-in, desk, board, inbox, errors."""

from __future__ import annotations

import re

from samples import CASE, ESCALATION, VISIT, page

from tiepdan_common.clock import LOCAL


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


def test_the_desk_sends_the_visit_and_maps_api_errors_next_to_the_fields(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [], "next_cursor": None})
    fake_gateway.on(
        "POST",
        "/intake/visits",
        422,
        {
            "status": 422,
            "code": "validation_failed",
            "detail": "invalid",
            "errors": [
                {
                    "field": "citizens",
                    "message": "a group of 12 must choose at least 1 representative(s) among its members",
                },
                {"field": "citizens[1].phone", "message": "Not a phone number."},
                {"field": "outcome.refusal_ground", "message": "a refusal must state its legal ground (Art. 9)"},
            ],
        },
    )
    form = {
        "csrf_token": csrf,
        "rows": "3",
        "category": "complaint",
        "field": "land",
        "origin_unit": "31690",
        "content": "Khiếu nại thu hồi đất",
        "group_size": "12",
        "outcome": "refused",
        "citizens-0-full_name": "Nguyễn Văn Tư",
        "citizens-2-full_name": "Trần Thị Năm",
        "citizens-2-phone": "abc",
        "idempotency_key": "k-1",
    }
    resp = client.post("/desk", data=form)
    assert resp.status_code == 422
    html = page(resp)
    assert 'id="err-citizens"' in html and "Đoàn 12 người phải cử ít nhất 1 người đại diện" in html
    # The API's second citizen is the form's third row (the empty row in between is not sent).
    assert re.search(r'id="err-citizens-2-phone"[^>]*>Số điện thoại không đúng', html)
    assert "Từ chối tiếp phải ghi căn cứ theo Điều 9" in html
    assert "Khiếu nại thu hồi đất" in html  # nothing typed is lost
    (sent,) = fake_gateway.sent("POST", "/intake/visits")
    assert sent["headers"]["Idempotency-Key"] == "k-1"
    body = sent["json"]
    assert body["group_size"] == 12 and body["origin_unit"] == "31690" and body["outcome"]["type"] == "refused"
    assert [c["full_name"] for c in body["citizens"]] == ["Nguyễn Văn Tư", "Trần Thị Năm"]


def test_a_recorded_visit_goes_back_to_an_empty_desk_with_its_serial(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [], "next_cursor": None})
    fake_gateway.on("POST", "/intake/visits", 201, VISIT)
    resp = client.post(
        "/desk",
        data={
            "csrf_token": csrf,
            "rows": "3",
            "category": "complaint",
            "field": "land",
            "content": "x",
            "citizens-0-full_name": "Nguyễn Văn Tư",
            "citizens-0-is_representative": "on",
            "outcome": "documents_taken",
        },
        follow_redirects=True,
    )
    html = page(resp)
    assert "Đã ghi sổ lượt tiếp số 947/2026/000001." in html and "đoàn đông người" in html
    assert fake_gateway.sent("POST", "/intake/visits")[0]["json"]["citizens"][0]["is_representative"] is True


def test_the_duplicate_warning_comes_before_saving(signed_in, fake_gateway):
    client, csrf = signed_in
    # The register shows names masked to initials to a board officer without the identity right.
    earlier = {**VISIT, "citizens": [{**VISIT["citizens"][0], "full_name": "N*** V*** T***"}]}
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [earlier], "next_cursor": None})
    fake_gateway.on("POST", "/intake/visits", 201, VISIT)
    form = {
        "csrf_token": csrf,
        "rows": "3",
        "category": "complaint",
        "field": "land",
        "origin_unit": "31690",
        "content": "x",
        "citizens-0-full_name": "Nguyễn Văn Tư",
        "outcome": "documents_taken",
    }
    resp = client.post("/desk", data=form)
    assert resp.status_code == 409
    assert "Có thể trùng với việc đã tiếp nhận" in page(resp) and "947/2026/000001" in page(resp)
    assert not fake_gateway.sent("POST", "/intake/visits")
    query = fake_gateway.sent("GET", "/intake/visits")[-1]["query"]
    assert query["field"] == ["land"] and query["unit"] == ["31690"] and query["category"] == ["complaint"]
    fake_gateway.on(
        "POST",
        "/intake/visits",
        201,
        {
            **VISIT,
            "repeat_of": "v-0",
            "earlier": {
                "id": "v-0",
                "serial": "947/2026/000000",
                "received_at": "2026-11-20T02:00:00+00:00",
                "receiving_unit": "947",
                "outcome": {"type": "guided", "competent_body": "UBND xã", "refusal_ground": None},
                "repeat_count": 1,
            },
        },
    )
    resp = client.post("/desk", data={**form, "confirm_duplicate": "yes"}, follow_redirects=True)
    assert len(fake_gateway.sent("POST", "/intake/visits")) == 1
    assert "lần lặp lại của lượt tiếp số 947/2026/000000 ngày 20/11/2026" in page(resp)
    assert "Hướng dẫn đến cơ quan có thẩm quyền" in page(resp)


def test_a_different_person_is_not_a_duplicate(signed_in, fake_gateway):
    client, csrf = signed_in
    other = {**VISIT, "citizens": [{**VISIT["citizens"][0], "full_name": "L*** T*** H***"}]}
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [other], "next_cursor": None})
    fake_gateway.on("POST", "/intake/visits", 201, VISIT)
    resp = client.post(
        "/desk",
        data={
            "csrf_token": csrf,
            "rows": "3",
            "category": "complaint",
            "field": "land",
            "content": "x",
            "citizens-0-full_name": "Nguyễn Văn Tư",
            "outcome": "documents_taken",
        },
    )
    assert resp.status_code == 302


def test_the_board_shows_open_cases_and_says_which_panels_are_not_available(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on(
        "GET",
        "/escalation/cases",
        200,
        [
            {
                "id": "c-1",
                "number": "VV-2026-0001",
                "title": "Đoàn đông người",
                "unit": "31690",
                "field": "land",
                "category": "complaint",
                "severity": "high",
                "level": "district",
                "status": "opened",
                "owner_agency": None,
                "group_size": 25,
                "public_order": True,
                "opened_at": "2026-11-26T02:00:00+00:00",
                "closed_at": None,
                "close_reason": None,
            }
        ],
    )
    fake_gateway.on("GET", "/escalation/incidents", 500, {"status": 500, "code": "internal_error", "detail": "boom"})
    html = page(client.get("/board"))
    assert "VV-2026-0001" in html and "Mới mở" in html and "Cao" in html and "an ninh trật tự" in html
    assert "Chưa xem được điểm nóng: Tài khoản của bạn chưa được phép dùng chức năng này." in html
    assert "Chưa xem được tin báo: Hệ thống đang gặp sự cố (mã 500)." in html
    assert fake_gateway.sent("GET", "/escalation/cases")[-1]["query"]["status"] == ["open"]


def test_the_gateway_being_down_is_a_message_not_a_crash(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.close()
    resp = client.get("/register")
    assert resp.status_code == 200
    assert "Không kết nối được với máy chủ." in page(resp)


def test_acknowledging_a_message_calls_the_gateway_and_shows_the_list_again(signed_in, fake_gateway):
    client, csrf = signed_in
    message = {
        "id": "m-1",
        "recipient": "btcd-01",
        "event_type": "escalation.case.opened",
        "case_id": "c-1",
        "severity": "high",
        "title": "Vụ việc mới VV-2026-0001",
        "body": "Đoàn đông người",
        "via_fallback": False,
        "created_at": "2026-11-26T02:00:00+00:00",
        "read_at": None,
        "acknowledged_at": None,
        "acknowledged_via": None,
    }
    fake_gateway.on("GET", "/notify/inbox", 200, [message])
    assert "1 tin chưa xác nhận" in page(client.get("/inbox"))
    fake_gateway.on("POST", "/notify/inbox/m-1/ack", 200, {**message, "acknowledged_at": "2026-11-26T02:01:00+00:00"})
    fake_gateway.on("GET", "/notify/inbox", 200, [{**message, "acknowledged_at": "2026-11-26T02:01:00+00:00"}])
    resp = client.post("/inbox/m-1/ack", headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert resp.status_code == 200
    assert "Đã xác nhận lúc 26/11/2026 09:01" in page(resp)  # shown in Vietnam's time
    assert len(fake_gateway.sent("POST", "/notify/inbox/m-1/ack")) == 1


def test_an_expired_token_sends_the_officer_back_to_sign_in(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/notify/inbox", 401, {"status": 401, "code": "unauthenticated", "detail": "expired"})
    resp = client.get("/inbox/list", headers={"HX-Request": "true"})
    assert resp.headers["HX-Redirect"].startswith("/login")
    assert client.get("/inbox").status_code == 302


def test_the_register_passes_filters_as_local_days_and_lists_visits(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [VISIT], "next_cursor": "abc"})
    html = page(client.get("/register?from=2026-11-26&to=2026-11-26&mass=true&category=complaint"))
    assert "947/2026/000001" in html and "26/11/2026 09:00" in html and "đoàn 12 người" in html
    assert "cursor=abc" in html
    query = fake_gateway.sent("GET", "/intake/visits")[-1]["query"]
    assert query["from"] == ["2026-11-26T00:00:00+07:00"] and query["to"] == ["2026-11-27T00:00:00+07:00"]
    assert query["mass"] == ["true"] and query["category"] == ["complaint"]


def test_english_is_a_choice(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/notify/inbox", 200, [])
    client.post("/lang/en", data={"csrf_token": csrf})
    html = page(client.get("/inbox"))
    assert "My inbox" in html and "Sign out" in html
    client.post("/lang/vi", data={"csrf_token": csrf})
    assert "Hộp thư của tôi" in page(client.get("/inbox"))


def test_the_board_shows_each_case_step_and_when_the_next_one_is_due(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/escalation/cases", 200, [CASE])
    fake_gateway.on("GET", "/escalation/cases/c-1/escalation", 200, ESCALATION)
    html = page(client.get("/board/panel/cases", headers={"HX-Request": "true"}))
    assert "bước 2" in html and "bước sau lúc 09:15" in html and "Tiếp nhận" in html


def test_progress_errors_from_the_api_are_shown_next_to_the_field(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/escalation/cases/c-1", 200, CASE)
    fake_gateway.on(
        "POST",
        "/escalation/cases/c-1/progress",
        422,
        {
            "status": 422,
            "code": "validation_failed",
            "detail": "x",
            "errors": [{"field": "status", "message": "Must be one of: in_progress, citizens_returned, resolved."}],
        },
    )
    resp = client.post(
        "/board/cases/c-1/progress", data={"csrf_token": csrf, "status": "bogus", "note": "Đã mời đối thoại"}
    )
    assert resp.status_code == 422
    assert "Hãy chọn một giá trị trong danh sách." in page(resp)
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/progress")[0]["json"] == {
        "status": "bogus",
        "note": "Đã mời đối thoại",
    }
    fake_gateway.on("POST", "/escalation/cases/c-1/progress", 200, CASE)
    resp = client.post(
        "/board/cases/c-1/progress", data={"csrf_token": csrf, "status": "in_progress"}, follow_redirects=True
    )
    assert "Đã ghi tiến độ." in page(resp) and "Mở vụ việc" in page(resp)


def test_the_roster_highlights_gaps_from_roster_coverage(signed_in, fake_gateway):
    client, _csrf = signed_in
    import datetime as dt

    start = dt.datetime.now(LOCAL).replace(hour=7, minute=0, second=0, microsecond=0)
    shift = {
        "id": 7,
        "kind": "morning",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=4, minutes=30)).isoformat(),
        "assignments": [{"officer": "btcd-01", "full_name": "Nguyễn Văn An", "agency": "BTCD", "duty_role": "lead"}],
    }
    fake_gateway.on("GET", "/roster/shifts", 200, [shift])
    fake_gateway.on("GET", "/roster/on-duty", 200, {"at": start.isoformat(), "officers": [], "leader_on_call": None})
    fake_gateway.on(
        "GET",
        "/roster/coverage",
        200,
        {
            "gaps": [{"shift_id": 7, "duty_role": "police", "reason": "unfilled", "missing": 1, "officer": None}],
            "unfilled": [{}],
            "double_bookings": [],
            "on_leave": [],
            "no_verified_channel": [],
        },
    )
    html = page(client.get("/today"))
    assert 'class="gap"' in html and "Công an: chưa có người" in html
    assert "Chưa có lãnh đạo trực hôm nay." in html
    # Without roster's report, the roles nobody holds are the gaps.
    fake_gateway.on("GET", "/roster/coverage", 404, {"status": 404})
    html = page(client.get("/today"))
    assert "Thanh tra: chưa có người" in html and "Công an: chưa có người" in html


def test_reports_draw_charts_from_intake_statistics(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [VISIT], "next_cursor": None})
    fake_gateway.on(
        "GET",
        "/intake/visits/statistics",
        200,
        {
            "total": 7,
            "citizens": 30,
            "mass": 2,
            "over_level": 1,
            "repeats": 0,
            "by_category": {"complaint": 5, "denunciation": 2},
            "by_field": {"land": 7},
            "by_unit": {},
            "by_origin_unit": {"31690": 7},
            "by_outcome": {"documents_taken": 7},
        },
    )
    html = page(client.get("/reports?from=2026-11-01&to=2026-11-30"))
    assert "<svg" in html and "Khiếu nại" in html and "Tố cáo" in html
    assert re.search(r"<dt>Lượt tiếp</dt><dd>7</dd>", html)
    assert fake_gateway.sent("GET", "/intake/visits/statistics")[-1]["query"]["from"] == ["2026-11-01T00:00:00+07:00"]


def test_the_register_export_passes_intakes_xlsx_through(signed_in, fake_gateway):
    client, _csrf = signed_in
    xlsx = b"PK\x03\x04 pretend workbook"
    fake_gateway.on("GET", "/intake/visits/export", 200, xlsx)
    resp = client.get("/register/export.xlsx?from=2026-11-01&to=2026-11-26&q=dat+dai")
    assert resp.status_code == 200 and resp.data == xlsx
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="so-tiep-cong-dan-')
    query = fake_gateway.sent("GET", "/intake/visits/export")[-1]["query"]
    assert query["format"] == ["xlsx"] and query["from"] == ["2026-11-01T00:00:00+07:00"] and "q" not in query


def test_a_failed_export_says_why_on_the_register(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [], "next_cursor": None})
    resp = client.get("/register/export.xlsx", follow_redirects=True)
    assert "Chưa xuất được sổ ra Excel: Tài khoản của bạn chưa được phép dùng chức năng này." in page(resp)


def test_a_form_without_citizens_or_with_a_tampered_row_count_gets_words_not_a_crash(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on(
        "POST",
        "/intake/visits",
        422,
        {
            "status": 422,
            "code": "validation_failed",
            "detail": "x",
            "errors": [{"field": "citizens", "message": "Length must be between 1 and 500."}],
        },
    )
    resp = client.post(
        "/desk",
        data={
            "csrf_token": csrf,
            "rows": "abc",
            "category": "complaint",
            "field": "land",
            "content": "x",
            "outcome": "documents_taken",
        },
    )
    assert resp.status_code == 422 and "Cần ghi ít nhất một người." in page(resp)
    assert fake_gateway.sent("POST", "/intake/visits")[0]["json"]["citizens"] == []
    assert page(resp).count('name="citizens-') == 3 * 5  # the default three rows, five inputs each


def test_a_hot_spot_shows_its_four_week_trend(signed_in, fake_gateway):
    client, _csrf = signed_in
    weeks = [
        {"until": f"2026-11-{d:02d}T02:00:00+00:00", "mass_visits": m, "citizens": c, "incidents": 0}
        for d, m, c in ((5, 1, 6), (12, 0, 0), (19, 2, 16), (26, 1, 30))
    ]
    spot = {
        "id": "h-1",
        "unit": "31690",
        "field": "land",
        "status": "active",
        "mass_visits": 3,
        "citizens": 46,
        "incidents": 0,
        "detected_at": "2026-11-20T02:00:00+00:00",
        "case_ids": [],
        "trend": weeks,
    }
    fake_gateway.on("GET", "/escalation/hotspots", 200, [spot])
    html = page(client.get("/board/panel/hotspots"))
    assert "Công dân 4 tuần qua: 6, 0, 16, 30" in html
    assert html.count("<rect ") == 4 and "↑" in html
    fake_gateway.on("GET", "/escalation/hotspots", 200, [{**spot, "trend": [*weeks[:3], {**weeks[3], "citizens": 3}]}])
    assert "↓" in page(client.get("/board/panel/hotspots"))


def test_a_hot_spot_is_defused_from_the_board(signed_in, fake_gateway):
    client, csrf = signed_in
    spot = {
        "id": "h-1",
        "unit": "31690",
        "field": "land",
        "status": "active",
        "mass_visits": 3,
        "citizens": 41,
        "incidents": 1,
        "detected_at": "2026-11-20T02:00:00+00:00",
        "case_ids": [],
    }
    fake_gateway.on("GET", "/escalation/hotspots", 200, [spot])
    assert "Đã hạ nhiệt" in page(client.get("/board/panel/hotspots"))
    fake_gateway.on("POST", "/escalation/hotspots/h-1", 200, {**spot, "status": "defused"})
    fake_gateway.on("GET", "/escalation/hotspots", 200, [{**spot, "status": "defused"}])
    html = page(client.post("/board/hotspots/h-1/defused", headers={"X-CSRF-Token": csrf, "HX-Request": "true"}))
    assert fake_gateway.sent("POST", "/escalation/hotspots/h-1")[0]["json"] == {"status": "defused"}
    assert "đã hạ nhiệt" in html and "hx-post" not in html


def test_a_police_officer_sees_and_acknowledges_alerts_and_no_panel_he_cannot_read(client, fake_gateway, make_token):
    token = make_token(
        sub="officer:ca-01", name="Lâm Văn Phúc", roles=["police"], officer="ca-01", kind="police", unit="947"
    )
    fake_gateway.on(
        "POST",
        "/auth/token",
        200,
        {
            "access_token": token,
            "expires_in": 3600,
            "kind": "police",
            "unit": "947",
            "permissions": [
                "incidents:read",
                "incidents:write",
                "alerts:read",
                "alerts:ack",
                "cases:read",
                "roster:read",
                "inbox:read",
            ],
        },
    )
    alert = {
        "id": "a-1",
        "reason": "public_order",
        "message": "Đoàn 25 người tại UBND xã Đại Tâm",
        "created_at": "2026-11-26T02:00:00+00:00",
        "acknowledged_at": None,
        "acknowledged_by": None,
        "case": {"id": "c-1", "number": "VV-2026-0001", "unit": "31690"},
    }
    fake_gateway.on("GET", "/escalation/alerts", 200, [alert])
    fake_gateway.on("GET", "/escalation/cases", 200, [])
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    signed = client.post("/login", data={"username": "ca-01", "password": "demo-ca-01", "csrf_token": csrf})
    assert signed.location == "/"
    assert client.get("/").location == "/board"
    html = page(client.get("/board"))
    assert "Cảnh báo gửi Công an" in html and "Đoàn 25 người tại UBND xã Đại Tâm" in html
    assert "Điểm nóng theo xã" not in html and "Yêu cầu của tỉnh" not in html and "Bàn tiếp" not in html
    assert not fake_gateway.sent("GET", "/escalation/hotspots")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    acked = {**alert, "acknowledged_at": "2026-11-26T02:05:00+00:00"}
    fake_gateway.on("POST", "/escalation/alerts/a-1/ack", 200, acked)
    fake_gateway.on("GET", "/escalation/alerts", 200, [acked])
    html = page(client.post("/board/alerts/a-1/ack", headers={"X-CSRF-Token": csrf, "HX-Request": "true"}))
    assert "Đã xác nhận lúc 26/11/2026 09:05" in html
    assert len(fake_gateway.sent("POST", "/escalation/alerts/a-1/ack")) == 1


def test_communes_come_from_roster_agencies_when_intake_reference_is_closed(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on(
        "GET",
        "/roster/agencies",
        200,
        [
            {"code": "BTCD", "name": "Ban Tiếp công dân huyện Mỹ Xuyên", "kind": "board", "unit": "947"},
            {"code": "UBND-31690", "name": "UBND Xã Đại Tâm", "kind": "commune", "unit": "31690"},
        ],
    )
    html = page(client.get("/desk"))
    assert '<option value="31690"' in html and ">Xã Đại Tâm</option>" in html
    assert "Chưa tải được danh mục lĩnh vực" in html and "Chưa tải được danh sách xã" not in html
    assert '<input id="field" name="field"' in html


def test_reference_lists_are_asked_once_not_once_per_row(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [VISIT] * 10, "next_cursor": None})
    client.get("/register")
    assert len(fake_gateway.sent("GET", "/intake/units")) == 1  # refused: asked once for the page
    fake_gateway.on("GET", "/intake/units", 200, [{"code": "31690", "name": "Xã Đại Tâm", "level": "commune"}])
    assert "Xã Đại Tâm" in page(client.get("/register"))
    client.get("/register")
    assert len(fake_gateway.sent("GET", "/intake/units")) == 2  # answered: kept


def test_a_province_request_goes_through_its_steps_from_the_board(signed_in, fake_gateway):
    client, csrf = signed_in
    item = {
        "id": "p-1",
        "reference": "TCD-12",
        "group_size": 8,
        "place": "Ban Tiếp công dân tỉnh",
        "contact": "Ông Hải 0299",
        "unit": "31693",
        "field": None,
        "note": None,
        "deadline": "2026-11-27T02:00:00+00:00",
        "status": "received",
        "assignees": {},
        "officers_sent": [],
        "dispatched_at": None,
        "citizens_returned_at": None,
        "outcome": None,
        "case_id": None,
        "received_at": "2026-11-26T01:00:00+00:00",
        "completed_at": None,
    }
    fake_gateway.on("GET", "/escalation/province-requests/p-1", 200, item)
    html = page(client.get("/board/province/p-1"))
    assert "Mới nhận" in html and "27/11/2026 09:00" in html
    fake_gateway.on("POST", "/escalation/province-requests/p-1/dispatch", 200, {**item, "status": "officers_sent"})
    resp = client.post("/board/province/p-1/dispatch", data={"csrf_token": csrf, "officers": "ttr-01; btcd-02"})
    assert resp.status_code == 302
    assert fake_gateway.sent("POST", "/escalation/province-requests/p-1/dispatch")[0]["json"] == {
        "officers": ["ttr-01", "btcd-02"]
    }
    fake_gateway.on(
        "POST",
        "/escalation/province-requests/p-1/complete",
        422,
        {"status": 422, "errors": [{"field": "outcome", "message": "Shorter than minimum length 2."}]},
    )
    resp = client.post("/board/province/p-1/complete", data={"csrf_token": csrf, "outcome": ""})
    assert resp.status_code == 422 and "Quá ngắn: cần ít nhất 2 ký tự." in page(resp)


def test_an_earlier_petition_of_the_same_citizen_is_shown_before_saving(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [], "next_cursor": None})
    fake_gateway.on(
        "POST",
        "/intake/petitions/repeat-check",
        200,
        {
            "earlier": {
                "id": "p-0",
                "number": "947/2026/Đ-000012",
                "received_at": "2026-11-02T02:00:00+00:00",
                "receiving_unit": "947",
                "status": "forwarded",
                "decision": "forward",
                "forwarded_to": "Phòng TN&MT",
                "deadline": "2026-12-01",
                "repeat_count": 2,
                "decisions": [],
            }
        },
    )
    html = page(
        client.post(
            "/desk/similar",
            data={
                "csrf_token": csrf,
                "rows": "3",
                "category": "complaint",
                "field": "land",
                "origin_unit": "31690",
                "citizens-0-full_name": "Nguyễn Văn Tư",
                "citizens-0-id_number": "012345678901",
            },
            headers={"HX-Request": "true"},
        )
    )
    assert "Đã có đơn số 947/2026/Đ-000012 ngày 02/11/2026 của công dân này về việc này: đã chuyển đơn." in html
    assert "Đã chuyển đến: Phòng TN&amp;MT." in html and "Hạn xử lý: 01/12/2026." in html
    (check,) = fake_gateway.sent("POST", "/intake/petitions/repeat-check")
    assert check["json"] == {
        "category": "complaint",
        "field": "land",
        "origin_unit": "31690",
        "senders": [{"full_name": "Nguyễn Văn Tư", "id_number": "012345678901"}],
    }


def test_a_repeat_visit_shows_the_first_one_and_its_handling(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on(
        "GET",
        "/intake/visits/v-1",
        200,
        {
            **VISIT,
            "repeat_of": "v-0",
            "repeat_count": 0,
            "earlier": {
                "id": "v-0",
                "serial": "947/2026/000000",
                "received_at": "2026-11-20T02:00:00+00:00",
                "receiving_unit": "947",
                "outcome": {"type": "guided", "competent_body": "UBND xã", "refusal_ground": None},
                "repeat_count": 1,
            },
        },
    )
    html = page(client.get("/register/v-1"))
    assert "lần lặp lại của lượt tiếp số 947/2026/000000 ngày 20/11/2026" in html
    assert "Hướng dẫn đến cơ quan có thẩm quyền" in html and "/register/v-0" in html


def test_the_case_page_names_people_and_agencies_not_codes(signed_in, fake_gateway):
    client, _csrf = signed_in
    acknowledged = {"at": "2026-11-26T02:03:00+00:00", "actor": "btcd-01", "kind": "acknowledged", "detail": {}}
    fake_gateway.on(
        "GET",
        "/escalation/cases/c-1",
        200,
        {**CASE, "owner_agency": "TNMT", "timeline": [*CASE["timeline"], acknowledged]},
    )
    fake_gateway.on("GET", "/roster/officers", 200, [{"code": "btcd-01", "full_name": "Nguyễn Văn An"}])
    fake_gateway.on(
        "GET",
        "/roster/agencies",
        200,
        [{"code": "TNMT", "name": "Phòng Tài nguyên và Môi trường", "kind": "department", "unit": "947"}],
    )
    html = page(client.get("/board/cases/c-1"))
    assert "Phòng Tài nguyên và Môi trường" in html
    assert "Đã tiếp nhận <small>Nguyễn Văn An</small>" in html and "Mở vụ việc <small>hệ thống</small>" in html


def test_the_roster_export_passes_roster_files_through(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/roster/exports/roster.xlsx", 200, b"PK\x03\x04 roster")
    resp = client.get("/today/roster.xlsx?from=2026-11-26&to=2026-12-02")
    assert resp.status_code == 200 and resp.data == b"PK\x03\x04 roster"
    assert 'filename="lich-truc-20261126-20261202.xlsx"' in resp.headers["Content-Disposition"]
    query = fake_gateway.sent("GET", "/roster/exports/roster.xlsx")[-1]["query"]
    assert query == {"from": ["2026-11-26"], "to": ["2026-12-02"]}
    resp = client.get("/today/roster.html", follow_redirects=True)
    assert "Chưa xuất được lịch trực" in page(resp)


def test_a_returning_citizen_is_found_by_name_id_or_phone_without_it_in_a_url(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("POST", "/intake/visits/find-citizen", 200, {"items": [VISIT], "next_cursor": None})
    html = page(
        client.post(
            "/register/find",
            data={"csrf_token": csrf, "full_name": "nguyen van tu", "id_number": "", "phone": "0909123456"},
        )
    )
    assert fake_gateway.sent("POST", "/intake/visits/find-citizen")[0]["json"] == {
        "full_name": "nguyen van tu",
        "phone": "0909123456",
        "limit": 50,
    }
    assert "947/2026/000001" in html and '<details class="card" id="find-citizen" open>' in html
    html = page(client.post("/register/find", data={"csrf_token": csrf}))
    assert "Nhập họ tên, số CCCD hoặc số điện thoại của công dân." in html
    assert len(fake_gateway.sent("POST", "/intake/visits/find-citizen")) == 1


def test_the_daily_summary_is_read_on_demand_for_a_date_typed_day_month_year(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits", 200, {"items": [], "next_cursor": None})
    fake_gateway.on(
        "GET",
        "/escalation/reports/daily-summary",
        200,
        {
            "date": "2026-11-25",
            "title": "Báo cáo tình hình ngày 25/11/2026",
            "period_label": "từ 17:00 24/11 đến 17:00 25/11",
            "complete": True,
            "items": [{"key": "visits", "label": "Lượt tiếp", "value": 14}],
            "highlights": ["Đoàn 25 người tại xã Đại Tâm"],
            "counts": {},
            "sent_at": "2026-11-25T10:00:00+00:00",
        },
    )
    html = page(client.get("/reports?date=25/11/2026"))
    assert fake_gateway.sent("GET", "/escalation/reports/daily-summary")[-1]["query"] == {"date": ["2026-11-25"]}
    day = html.split('id="day-summary"', 1)[1].split("</article>", 1)[0]
    assert "Báo cáo tình hình ngày 25/11/2026" in day and "<dt>Lượt tiếp</dt><dd>14</dd>" in day
    assert "Đoàn 25 người tại xã Đại Tâm" in day and "đã gửi lãnh đạo lúc 25/11/2026 17:00" in day
