"""Work on a case against the stand-in gateway: dialogues, tasks, merges and links, a visit's case, province requests."""

from __future__ import annotations

from samples import CASE, page, serve_case


def test_a_dialogue_is_scheduled_with_a_day_month_year_time_and_recorded(signed_in, fake_gateway):
    client, csrf = signed_in
    serve_case(fake_gateway)
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
    serve_case(fake_gateway)
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
    serve_case(fake_gateway, links=[{"id": "c-3", "number": "VV-2026-0003", "title": "Vụ việc", "status": "opened"}])
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
    serve_case(fake_gateway, status="closed", close_reason="resolved", closed_at="2026-11-27T02:00:00+00:00")
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
