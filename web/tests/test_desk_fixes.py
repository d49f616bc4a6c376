"""The desk's fixes: errors that name the problem, dates day/month/year, focus kept, Enter never saves half a visit,
and after a mass visit what the running policy did and will do."""

from __future__ import annotations

from samples import CASE, ESCALATION, VISIT, page


def _form(csrf, **extra):
    return {
        "csrf_token": csrf,
        "rows": "3",
        "category": "complaint",
        "field": "land",
        "origin_unit": "31690",
        "content": "Khiếu nại thu hồi đất",
        "citizens-0-full_name": "Nguyễn Văn Tư",
        "citizens-0-is_representative": "on",
        "outcome": "documents_taken",
        "confirm_duplicate": "yes",
        **extra,
    }


def test_an_empty_content_is_told_as_an_empty_content(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on(
        "POST",
        "/intake/visits",
        422,
        {"status": 422, "errors": [{"field": "content", "message": "Length must be between 1 and 20000."}]},
    )
    html = page(client.post("/desk", data=_form(csrf, content="")))
    assert "Chưa ghi nội dung vụ việc." in html and "Cần ghi ít nhất một người." not in html


def test_the_time_of_the_visit_is_shown_and_typed_day_month_year(signed_in, fake_gateway):
    client, csrf = signed_in
    html = page(client.get("/desk"))
    value = html.split('id="received_at"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert value[2] == "/" and value[5] == "/" and len(value) == 16  # 26/11/2026 09:30
    fake_gateway.on("POST", "/intake/visits", 201, {**VISIT, "is_mass": False})
    client.post("/desk", data=_form(csrf, received_at="25/11/2026 14:05"))
    assert fake_gateway.sent("POST", "/intake/visits")[0]["json"]["received_at"] == "2026-11-25T14:05:00+07:00"


def test_adding_a_person_keeps_the_keyboard_on_the_new_row(signed_in, fake_gateway):
    client, csrf = signed_in
    html = page(client.post("/desk", data=_form(csrf, action="add_row")))
    new_input = html.split('id="citizens-3-full_name"', 1)[1].split(">", 1)[0]
    assert "autofocus" in new_input
    assert "autofocus" not in html.split('id="citizens-0-full_name"', 1)[1].split(">", 1)[0]
    assert not fake_gateway.sent("POST", "/intake/visits")


def test_enter_in_a_field_does_not_save_a_half_filled_visit(signed_in, fake_gateway):
    client, csrf = signed_in
    html = page(client.get("/desk"))
    first_button = html.split('id="visit-form"', 1)[1].split("<button", 1)[1].split(">", 1)[0]
    assert 'value="enter"' in first_button  # the form's default button (what Enter presses)
    resp = client.post("/desk", data=_form(csrf, action="enter", content=""))
    assert resp.status_code == 200 and "Lượt tiếp chưa được ghi." in page(resp)
    assert not fake_gateway.sent("POST", "/intake/visits")


def test_after_a_mass_visit_the_desk_says_what_the_running_policy_did_and_does_next(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("POST", "/intake/visits", 201, VISIT)
    resp = client.post("/desk", data=_form(csrf))
    assert resp.location.endswith("/desk?last=v-1&mass=1")
    html = page(client.get(resp.location))
    assert "lãnh đạo trực sẽ được báo ngay" not in html
    assert 'hx-get="/desk/case/v-1"' in html
    # Before escalation opened the case, the panel asks again.
    fake_gateway.on("GET", "/escalation/cases", 200, [])
    assert 'hx-get="/desk/case/v-1?tries=1"' in page(client.get("/desk/case/v-1"))
    fake_gateway.on("GET", "/escalation/cases", 200, [CASE])
    fake_gateway.on(
        "GET", "/escalation/cases/c-1/escalation", 200, {**ESCALATION, "policy": "mass-office-hours", "step_index": 1}
    )
    fake_gateway.on(
        "GET",
        "/escalation/policies",
        200,
        [
            {
                "name": "mass-office-hours",
                "steps": [
                    {"target": {"type": "on_duty_role", "value": "lead"}, "wait_minutes": 15},
                    {"target": {"type": "leader_on_call", "value": None}, "wait_minutes": 30},
                ],
            }
        ],
    )
    fake_gateway.on("GET", "/notify/deliveries", 200, [{"recipient": "btcd-02", "channel": "inbox", "status": "sent"}])
    fake_gateway.on("GET", "/roster/officers", 200, [{"code": "btcd-02", "full_name": "Lê Thị Bình"}])
    html = page(client.get("/desk/case/v-1"))
    assert "VV-2026-0001" in html and "Đã báo: Lê Thị Bình." in html
    assert "Nếu chưa ai tiếp nhận, lúc 09:15 sẽ báo: Lãnh đạo trực." in html
    query = fake_gateway.sent("GET", "/escalation/cases")[-1]["query"]
    assert query["source_type"] == ["visit"] and query["source_id"] == ["v-1"]


def test_the_desk_offers_only_communes_in_force_today_and_names_a_retired_one_in_words(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on(
        "GET",
        "/intake/units",
        200,
        [
            {
                "code": "31690",
                "name": "Xã Đại Tâm",
                "level": "commune",
                "valid_from": "2008-01-01",
                "valid_to": "2025-06-30",
            },
            {
                "code": "31684",
                "name": "Phường Mỹ Xuyên",
                "level": "commune",
                "valid_from": "2025-07-01",
                "valid_to": None,
            },
        ],
    )
    html = page(client.get("/desk"))
    select = html.split('id="origin_unit"', 1)[1].split("</select>", 1)[0]
    assert "Phường Mỹ Xuyên" in select and "Xã Đại Tâm" not in select
    fake_gateway.on(
        "POST",
        "/intake/visits",
        422,
        {"status": 422, "errors": [{"field": "origin_unit", "message": "unit 31690 is not in force on 2026-12-07"}]},
    )
    html = page(client.post("/desk", data=_form(csrf)))
    assert "Đơn vị hành chính này không còn (hoặc chưa) tồn tại vào ngày 07/12/2026" in html


def test_the_duplicate_warning_asks_intake_for_the_citizen_by_blind_index(signed_in, fake_gateway):
    client, csrf = signed_in
    other_matter = {**VISIT, "id": "v-9", "serial": "947/2026/000009", "field": "environment"}
    fake_gateway.on("POST", "/intake/visits/find-citizen", 200, {"items": [VISIT, other_matter], "next_cursor": None})
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
    assert fake_gateway.sent("POST", "/intake/visits/find-citizen")[0]["json"] == {
        "full_name": "Nguyễn Văn Tư",
        "id_number": "012345678901",
        "limit": 20,
    }
    assert "947/2026/000001" in html and "947/2026/000009" not in html
    assert not fake_gateway.sent("GET", "/intake/visits")  # no scan of recent visits
