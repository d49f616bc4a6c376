"""The desk against the stand-in gateway: recording a visit, the duplicate warning, the reference lists."""

from __future__ import annotations

import re

from samples import VISIT, page


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
