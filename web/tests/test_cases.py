"""The case page against the stand-in gateway: close with a reason, acknowledge, change, the timeline, who was told."""

from __future__ import annotations

from samples import CASE, ESCALATION, page, serve_case


def test_a_case_is_closed_with_a_reason_from_the_list(signed_in, fake_gateway):
    client, csrf = signed_in
    serve_case(fake_gateway)
    html = page(client.get("/board/cases/c-1"))
    assert '<select id="close-reason" name="reason"' in html
    assert '<option value="resolved" >Đã giải quyết xong</option>' in html.replace("  ", " ")
    assert '<textarea id="close-reason"' not in html
    fake_gateway.on("POST", "/escalation/cases/c-1/close", 200, {**CASE, "status": "closed"})
    resp = client.post(
        "/board/cases/c-1/close",
        data={"csrf_token": csrf, "reason": "citizens_returned", "outcome": "Đã về địa phương sau đối thoại"},
    )
    assert resp.status_code == 302
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/close")[0]["json"] == {
        "reason": "citizens_returned",
        "outcome": "Đã về địa phương sau đối thoại",
    }


def test_the_close_reasons_come_from_the_api_when_it_lists_them(signed_in, fake_gateway):
    client, _csrf = signed_in
    serve_case(fake_gateway)
    fake_gateway.on(
        "GET",
        "/escalation/cases/close-reasons",
        200,
        [{"code": "withdrawn", "label": "Công dân rút đơn"}, {"code": "duplicate", "label": "Trùng vụ việc khác"}],
    )
    html = page(client.get("/board/cases/c-1")).split('id="close-reason"', 1)[1].split("</select>", 1)[0]
    assert 'value="withdrawn"' in html and "Trùng vụ việc khác" in html and 'value="resolved"' not in html


def test_a_close_without_a_reason_is_told_next_to_the_list(signed_in, fake_gateway):
    client, csrf = signed_in
    serve_case(fake_gateway)
    fake_gateway.on(
        "POST",
        "/escalation/cases/c-1/close",
        422,
        {"status": 422, "errors": [{"field": "reason", "message": "Must be one of: resolved, other."}]},
    )
    resp = client.post("/board/cases/c-1/close", data={"csrf_token": csrf, "reason": "", "outcome": "x"})
    assert resp.status_code == 422
    html = page(resp)
    assert '<details id="close" open>' in html and "Hãy chọn một giá trị trong danh sách." in html
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/close")[0]["json"] == {"reason": "", "outcome": "x"}


def test_acknowledge_is_offered_while_an_escalation_is_pending_whatever_the_status(signed_in, fake_gateway):
    client, csrf = signed_in
    serve_case(fake_gateway, status="in_progress")
    fake_gateway.on("GET", "/escalation/cases/c-1/escalation", 200, ESCALATION)
    assert 'id="acknowledge-case"' in page(client.get("/board/cases/c-1"))
    fake_gateway.on("GET", "/escalation/cases/c-1/escalation", 200, {**ESCALATION, "status": "acknowledged"})
    assert 'id="acknowledge-case"' not in page(client.get("/board/cases/c-1"))
    # The board's row offers it too.
    fake_gateway.on("GET", "/escalation/cases", 200, [{**CASE, "status": "in_progress"}])
    fake_gateway.on("GET", "/escalation/cases/c-1/escalation", 200, ESCALATION)
    assert "ack-case" in page(client.get("/board/panel/cases"))
    fake_gateway.on("POST", "/escalation/cases/c-1/acknowledge", 200, CASE)
    resp = client.post("/board/cases/c-1/acknowledge", data={"csrf_token": csrf})
    assert resp.status_code == 302 and len(fake_gateway.sent("POST", "/escalation/cases/c-1/acknowledge")) == 1


def test_severity_public_order_owner_and_a_participant_are_changed_and_only_what_changed_is_sent(
    signed_in, fake_gateway
):
    client, csrf = signed_in
    serve_case(fake_gateway)
    html = page(client.get("/board/cases/c-1"))
    assert 'value="agency|TNMT"' in html and 'value="leader|ld-01"' in html and 'value="police|CAH"' in html
    fake_gateway.on("POST", "/escalation/cases/c-1/update", 200, CASE)
    client.post(
        "/board/cases/c-1/update",
        data={
            "csrf_token": csrf,
            "severity": "high",
            "public_order_shown": "1",
            "public_order": "on",
            "complex_shown": "1",
            "owner_agency": "TNMT",
            "participant": "leader|ld-01",
            "participant_role": "chủ trì",
        },
    )
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/update")[0]["json"] == {
        "severity": "high",
        "public_order": True,
        "owner_agency": "TNMT",
        "participants": [{"type": "leader", "value": "ld-01", "role": "chủ trì"}],
    }
    resp = client.post(
        "/board/cases/c-1/update",
        data={"csrf_token": csrf, "severity": "medium", "public_order_shown": "1", "complex_shown": "1"},
        follow_redirects=True,
    )
    assert "Không có gì thay đổi." in page(resp)
    assert len(fake_gateway.sent("POST", "/escalation/cases/c-1/update")) == 1


def test_the_timeline_says_what_changed_in_words(signed_in, fake_gateway):
    client, _csrf = signed_in
    updated = {
        "at": "2026-11-26T03:00:00+00:00",
        "actor": "btcd-01",
        "kind": "updated",
        "detail": {
            "severity": {"from": "medium", "to": "critical"},
            "public_order": {"from": False, "to": True},
            "participants": {"added": [{"type": "agency", "value": "TNMT", "role": None}]},
        },
    }
    serve_case(
        fake_gateway,
        timeline=[*CASE["timeline"], updated],
        participants=[{"type": "unit", "value": "31690", "role": None}],
    )
    fake_gateway.on("GET", "/intake/units", 200, [{"code": "31690", "name": "Xã Đại Tâm", "level": "commune"}])
    html = page(client.get("/board/cases/c-1"))
    assert "mức Trung bình → Rất nghiêm trọng" in html and "có nguy cơ mất an ninh trật tự" in html
    assert "thêm: Phòng Tài nguyên và Môi trường" in html
    assert "UBND xã, thị trấn: Xã Đại Tâm" in html


def test_who_was_told_about_a_case_channel_time_and_status(signed_in, fake_gateway):
    client, _csrf = signed_in
    serve_case(fake_gateway)
    fake_gateway.on(
        "GET",
        "/notify/deliveries",
        200,
        [
            {
                "id": "d-2",
                "recipient": "ld-01",
                "channel": "sms",
                "address": "+8490***123",
                "status": "dead",
                "sent_at": None,
                "created_at": "2026-11-26T02:20:00+00:00",
                "last_error": "provider refused",
                "attempts": 5,
            },
            {
                "id": "d-1",
                "recipient": "btcd-01",
                "channel": "inbox",
                "address": None,
                "status": "sent",
                "sent_at": "2026-11-26T02:01:00+00:00",
                "created_at": "2026-11-26T02:00:30+00:00",
            },
        ],
    )
    html = page(client.get("/board/cases/c-1"))
    assert fake_gateway.sent("GET", "/notify/deliveries")[-1]["query"]["case_id"] == ["c-1"]
    table = html.split('id="deliveries-table"', 1)[1].split("</table>", 1)[0]
    assert table.index("Nguyễn Văn An") < table.index("Trần Văn Lãnh")  # in the order they were told
    assert "Hộp thư trên hệ thống" in table and "26/11/2026 09:01" in table and "Đã gửi" in table
    assert "Tin nhắn SMS" in table and "Gửi không được" in table and "đã thử 5 lần" in table
    assert "provider refused" not in table  # the provider's English stays in notify's record


def test_who_was_told_comes_from_notifys_record_of_messages_when_it_answers(signed_in, fake_gateway):
    client, _csrf = signed_in
    serve_case(fake_gateway)
    fake_gateway.on(
        "GET",
        "/notify/messages",
        200,
        [
            {
                "message_id": "m-1",
                "recipient": "ld-01",
                "name": "Trần Văn Lãnh",
                "title": "Vụ việc mới VV-2026-0001",
                "created_at": "2026-11-26T02:00:00+00:00",
                "status": "acknowledged",
                "channel": "sms",
                "delivered_at": "2026-11-26T02:00:20+00:00",
                "acknowledged_at": "2026-11-26T02:05:00+00:00",
                "deliveries": [],
            }
        ],
    )
    html = page(client.get("/board/cases/c-1"))
    assert fake_gateway.sent("GET", "/notify/messages")[-1]["query"] == {"case_id": ["c-1"]}
    assert not fake_gateway.sent("GET", "/notify/deliveries")
    table = html.split('id="deliveries-table"', 1)[1].split("</table>", 1)[0]
    assert "Trần Văn Lãnh" in table and "Tin nhắn SMS" in table and "26/11/2026 09:00" in table
    assert "Đã xác nhận" in table and "đã xác nhận lúc 26/11/2026 09:05" in table


def test_an_app_acting_on_a_case_is_named_in_words_not_by_its_client_id(signed_in, fake_gateway):
    client, _csrf = signed_in
    serve_case(
        fake_gateway,
        timeline=[{"at": "2026-11-26T02:00:00+00:00", "actor": "district-board", "kind": "opened", "detail": {}}],
    )
    html = page(client.get("/board/cases/c-1"))
    assert "Mở vụ việc <small>Ban Tiếp công dân (kết nối hệ thống)</small>" in html and "district-board" not in html
