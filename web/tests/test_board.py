"""The situation board, a case, hot spots, the police's alerts, province requests and the inbox, against the stand-in gateway."""

from __future__ import annotations

from samples import CASE, ESCALATION, page


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
