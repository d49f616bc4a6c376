"""The case page against the stand-in gateway: close with a reason, acknowledge, change, who was told, dialogues."""

from __future__ import annotations

from samples import CASE, ESCALATION, page

AGENCIES = [
    {"code": "TNMT", "name": "Phòng Tài nguyên và Môi trường", "kind": "department", "unit": "947"},
    {"code": "CAH", "name": "Công an huyện Mỹ Xuyên", "kind": "police", "unit": "947"},
    {"code": "UBND-31690", "name": "UBND xã Đại Tâm", "kind": "commune", "unit": "31690"},
]
OFFICERS = [
    {"code": "btcd-01", "full_name": "Nguyễn Văn An", "role": "board", "agency": "BTCD"},
    {"code": "ld-01", "full_name": "Trần Văn Lãnh", "role": "leader", "agency": "UBND"},
]


def _case(fake, **changes):
    fake.on("GET", "/escalation/cases/c-1", 200, {**CASE, **changes})
    fake.on("GET", "/roster/agencies", 200, AGENCIES)
    fake.on("GET", "/roster/officers", 200, OFFICERS)


def test_a_case_is_closed_with_a_reason_from_the_list(signed_in, fake_gateway):
    client, csrf = signed_in
    _case(fake_gateway)
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
    _case(fake_gateway)
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
    _case(fake_gateway)
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
    _case(fake_gateway, status="in_progress")
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
    _case(fake_gateway)
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
    _case(
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
    _case(fake_gateway)
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


def test_a_dialogue_is_scheduled_with_a_day_month_year_time_and_recorded(signed_in, fake_gateway):
    client, csrf = signed_in
    _case(fake_gateway)
    dialogue = {
        "id": "d-1",
        "case_id": "c-1",
        "scheduled_at": "2026-11-28T01:00:00+00:00",
        "place": "UBND xã Đại Tâm",
        "participants": [{"name": "Lê Văn Bình", "role": "Chủ tịch UBND xã"}],
        "status": "scheduled",
        "minutes": None,
        "outcome": None,
    }
    fake_gateway.on("GET", "/escalation/cases/c-1/dialogues", 200, [dialogue])
    html = page(client.get("/board/cases/c-1"))
    assert "28/11/2026 08:00" in html and "Lê Văn Bình (Chủ tịch UBND xã)" in html and "Đã lên lịch" in html
    fake_gateway.on("POST", "/escalation/cases/c-1/dialogues", 201, dialogue)
    client.post(
        "/board/cases/c-1/dialogues",
        data={
            "csrf_token": csrf,
            "scheduled_at": "28/11/2026 08:00",
            "place": "UBND xã Đại Tâm",
            "participants": "Lê Văn Bình; Chủ tịch UBND xã; UBND xã Đại Tâm\nĐại diện các hộ dân",
        },
    )
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/dialogues")[0]["json"] == {
        "scheduled_at": "2026-11-28T08:00:00+07:00",
        "place": "UBND xã Đại Tâm",
        "participants": [
            {"name": "Lê Văn Bình", "role": "Chủ tịch UBND xã", "unit": "UBND xã Đại Tâm"},
            {"name": "Đại diện các hộ dân", "role": None, "unit": None},
        ],
    }
    fake_gateway.on("POST", "/escalation/cases/c-1/dialogues/d-1/record", 200, {**dialogue, "status": "held"})
    client.post(
        "/board/cases/c-1/dialogues/d-1",
        data={"csrf_token": csrf, "status": "held", "minutes": "Biên bản", "outcome": "Thống nhất"},
    )
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/dialogues/d-1/record")[0]["json"] == {
        "status": "held",
        "minutes": "Biên bản",
        "outcome": "Thống nhất",
    }


def test_a_visits_case_is_asked_of_the_api_by_the_visit(signed_in, fake_gateway):
    from samples import VISIT

    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits/v-1", 200, VISIT)
    fake_gateway.on("GET", "/escalation/cases", 200, [CASE])
    fake_gateway.on("GET", "/escalation/cases/c-1", 200, CASE)
    html = page(client.get("/register/v-1"))
    query = fake_gateway.sent("GET", "/escalation/cases")[-1]["query"]
    assert query["source_type"] == ["visit"] and query["source_id"] == ["v-1"]
    assert "VV-2026-0001" in html and "/board/cases/c-1" in html


def test_a_task_is_added_with_an_owner_from_the_roster_and_marked_done(signed_in, fake_gateway):
    client, csrf = signed_in
    _case(fake_gateway)
    task = {
        "id": "t-1",
        "case_id": "c-1",
        "title": "Mời các hộ đối thoại",
        "owner": "btcd-01",
        "due_at": "2026-11-27T01:00:00+00:00",
        "status": "open",
        "overdue": True,
        "done_at": None,
    }
    fake_gateway.on("GET", "/escalation/cases/c-1/tasks", 200, [task])
    html = page(client.get("/board/cases/c-1"))
    assert "Mời các hộ đối thoại" in html and "hạn 27/11/2026 08:00" in html and "quá hạn" in html
    assert '<option value="btcd-01"' in html.split('id="task-owner"', 1)[1]
    fake_gateway.on("POST", "/escalation/cases/c-1/tasks", 201, task)
    client.post(
        "/board/cases/c-1/tasks",
        data={"csrf_token": csrf, "title": "Mời các hộ đối thoại", "owner": "btcd-01", "due_at": "27/11/2026 08:00"},
    )
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/tasks")[0]["json"] == {
        "title": "Mời các hộ đối thoại",
        "owner": "btcd-01",
        "due_at": "2026-11-27T08:00:00+07:00",
    }
    fake_gateway.on("POST", "/escalation/cases/c-1/tasks/t-1/done", 200, {**task, "status": "done"})
    assert client.post("/board/cases/c-1/tasks/t-1/done", data={"csrf_token": csrf}).status_code == 302
    assert len(fake_gateway.sent("POST", "/escalation/cases/c-1/tasks/t-1/done")) == 1


def test_a_case_is_merged_into_another_linked_and_reopened(signed_in, fake_gateway):
    client, csrf = signed_in
    other = {**CASE, "id": "c-2", "number": "VV-2026-0002", "title": "Đoàn đông người, lĩnh vực đất đai"}
    _case(fake_gateway, links=[{"id": "c-3", "number": "VV-2026-0003", "title": "Vụ việc", "status": "opened"}])
    fake_gateway.on("GET", "/escalation/cases", 200, [CASE, other])
    html = page(client.get("/board/cases/c-1"))
    merge_select = html.split('id="merge-into"', 1)[1].split("</select>", 1)[0]
    assert "VV-2026-0002" in merge_select and 'value="c-1"' not in merge_select
    assert "VV-2026-0003" in html
    fake_gateway.on("POST", "/escalation/cases/c-1/merge", 200, other)
    resp = client.post("/board/cases/c-1/merge", data={"csrf_token": csrf, "into": "c-2"})
    assert resp.status_code == 302 and resp.location.endswith("/board/cases/c-2")
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/merge")[0]["json"] == {"into": "c-2"}
    fake_gateway.on("POST", "/escalation/cases/c-1/links", 200, CASE)
    client.post("/board/cases/c-1/links", data={"csrf_token": csrf, "case_id": "c-2"})
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/links")[0]["json"] == {"case_id": "c-2"}
    fake_gateway.on("DELETE", "/escalation/cases/c-1/links/c-3", 200, CASE)
    client.post("/board/cases/c-1/links/c-3/remove", data={"csrf_token": csrf})
    assert len(fake_gateway.sent("DELETE", "/escalation/cases/c-1/links/c-3")) == 1
    # A closed case offers reopening, with its reason.
    _case(fake_gateway, status="closed", close_reason="resolved", closed_at="2026-11-27T02:00:00+00:00")
    html = page(client.get("/board/cases/c-1"))
    assert 'id="reopen-form"' in html and 'id="close-form"' not in html and "Đã giải quyết xong" in html
    fake_gateway.on(
        "POST",
        "/escalation/cases/c-1/reopen",
        422,
        {"status": 422, "errors": [{"field": "reason", "message": "Shorter than minimum length 3."}]},
    )
    resp = client.post("/board/cases/c-1/reopen", data={"csrf_token": csrf, "reason": "x"})
    assert resp.status_code == 422 and "Quá ngắn: cần ít nhất 3 ký tự." in page(resp)
    assert fake_gateway.sent("POST", "/escalation/cases/c-1/reopen")[0]["json"] == {"reason": "x"}


def test_a_province_request_is_assigned_and_dispatched_from_roster_pickers(signed_in, fake_gateway):
    client, csrf = signed_in
    item = {
        "id": "p-1",
        "reference": "12/BTCD",
        "group_size": 6,
        "place": "Trụ sở tiếp công dân tỉnh",
        "contact": "0909",
        "unit": "31690",
        "field": "land",
        "deadline": "2026-11-27T02:00:00+00:00",
        "status": "received",
        "assignees": {},
        "officers_sent": [],
        "received_at": "2026-11-26T02:00:00+00:00",
    }
    fake_gateway.on("GET", "/escalation/province-requests/p-1", 200, item)
    fake_gateway.on(
        "GET",
        "/roster/agencies",
        200,
        [
            {"code": "TTR", "name": "Thanh tra huyện", "kind": "inspectorate"},
            {"code": "BTCD", "name": "Ban Tiếp công dân", "kind": "board"},
            {"code": "UBND-31690", "name": "UBND xã Đại Tâm", "kind": "commune", "unit": "31690"},
            {"code": "UBND-31684", "name": "UBND thị trấn", "kind": "commune", "unit": "31684"},
        ],
    )
    fake_gateway.on(
        "GET",
        "/roster/officers",
        200,
        [
            {"code": "ttr-01", "full_name": "Phạm Thanh Tra", "agency": "TTR", "agency_name": "Thanh tra huyện"},
            {"code": "btcd-02", "full_name": "Lê Thị Bình", "agency": "BTCD", "agency_name": "Ban Tiếp công dân"},
            {"code": "xa-02", "full_name": "Lý Văn Hai", "agency": "UBND-31684", "agency_name": "UBND thị trấn"},
            {"code": "xa-01", "full_name": "Danh Sơn", "agency": "UBND-31690", "agency_name": "UBND xã Đại Tâm"},
        ],
    )
    html = page(client.get("/board/province/p-1"))
    commune = html.split('id="p-commune"', 1)[1].split("</select>", 1)[0]
    assert commune.index("Danh Sơn") < commune.index("Lý Văn Hai")  # the request's own commune first
    assert "Phạm Thanh Tra" in html.split('id="p-inspectorate"', 1)[1].split("</select>", 1)[0]
    fake_gateway.on("POST", "/escalation/province-requests/p-1/assign", 200, item)
    client.post(
        "/board/province/p-1/assign",
        data={"csrf_token": csrf, "inspectorate": "ttr-01", "board": "btcd-02", "commune": "xa-01"},
    )
    assert fake_gateway.sent("POST", "/escalation/province-requests/p-1/assign")[0]["json"] == {
        "inspectorate": "ttr-01",
        "board": "btcd-02",
        "commune": "xa-01",
    }
    fake_gateway.on("POST", "/escalation/province-requests/p-1/dispatch", 200, item)
    client.post("/board/province/p-1/dispatch", data={"csrf_token": csrf, "officers": ["ttr-01", "xa-01"]})
    assert fake_gateway.sent("POST", "/escalation/province-requests/p-1/dispatch")[0]["json"] == {
        "officers": ["ttr-01", "xa-01"]
    }
    fake_gateway.on(
        "POST",
        "/escalation/province-requests/p-1/returned",
        422,
        {"status": 422, "errors": [{"field": "returned_at", "message": "must not be before the request was received"}]},
    )
    resp = client.post("/board/province/p-1/returned", data={"csrf_token": csrf, "returned_at": "25/11/2026 08:00"})
    assert fake_gateway.sent("POST", "/escalation/province-requests/p-1/returned")[0]["json"] == {
        "returned_at": "2026-11-25T08:00:00+07:00"
    }
    assert "Công dân không thể về trước khi tỉnh gửi yêu cầu." in page(resp)


def test_who_was_told_comes_from_notifys_record_of_messages_when_it_answers(signed_in, fake_gateway):
    client, _csrf = signed_in
    _case(fake_gateway)
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
    _case(
        fake_gateway,
        timeline=[{"at": "2026-11-26T02:00:00+00:00", "actor": "district-board", "kind": "opened", "detail": {}}],
    )
    html = page(client.get("/board/cases/c-1"))
    assert "Mở vụ việc <small>Ban Tiếp công dân (kết nối hệ thống)</small>" in html and "district-board" not in html
