"""Petitions against the stand-in gateway: registering one however it came, the book and what is due."""

from __future__ import annotations

import datetime as dt

from samples import PETITION, VISIT, page

from tiepdan_common.clock import LOCAL

TODAY = dt.datetime.now(LOCAL).date()


def _form(csrf, **extra):
    return {
        "csrf_token": csrf,
        "rows": "2",
        "idempotency_key": "k-7",
        "channel": "forwarded",
        "forwarded_by": "Sở TN&MT",
        "letter_number": "12/STNMT-TTr",
        "letter_date": "20/11/2026",
        "received_at": "26/11/2026 09:00",
        "category": "complaint",
        "field": "land",
        "origin_unit": "31690",
        "subject": "Bồi thường tỉnh lộ 940",
        "content": "Khiếu nại mức bồi thường",
        "senders-0-full_name": "Nguyễn Văn Tư",
        "senders-0-id_number": "012345678901",
        "senders-0-is_representative": "on",
        "action": "save",
        **extra,
    }


def test_a_forwarded_petition_is_registered_with_its_letter(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("POST", "/intake/petitions", 201, {**PETITION, "parts": []})
    resp = client.post("/petitions/new", data=_form(csrf))
    assert resp.status_code == 302 and resp.location.endswith("/petitions/p-1")
    (sent,) = fake_gateway.sent("POST", "/intake/petitions")
    assert sent["headers"]["Idempotency-Key"] == "k-7"
    assert sent["json"] == {
        "channel": "forwarded",
        "forwarded_by": "Sở TN&MT (công văn số 12/STNMT-TTr, ngày 20/11/2026)",
        "received_at": "2026-11-26T09:00:00+07:00",
        "category": "complaint",
        "field": "land",
        "origin_unit": "31690",
        "subject": "Bồi thường tỉnh lộ 940",
        "content": "Khiếu nại mức bồi thường",
        "anonymous": False,
        "senders": [{"full_name": "Nguyễn Văn Tư", "id_number": "012345678901", "is_representative": True}],
    }


def test_each_channel_sends_what_belongs_to_it(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("POST", "/intake/petitions", 201, {**PETITION, "parts": []})
    client.post("/petitions/new", data=_form(csrf, channel="visit", visit_id="v-1"))
    client.post("/petitions/new", data=_form(csrf, channel="online", second_time="on"))
    client.post(
        "/petitions/new",
        data=_form(
            csrf,
            channel="post",
            category="denunciation",
            anonymous="on",
            verifiable="on",
            violator="Cán bộ địa chính xã",
            evidence="Biên lai",
        ),
    )
    visit, online, anonymous = (r["json"] for r in fake_gateway.sent("POST", "/intake/petitions"))
    assert visit["channel"] == "visit" and visit["visit_id"] == "v-1" and "forwarded_by" not in visit
    assert online["channel"] == "online" and online["complaint_round"] == 2
    assert anonymous["senders"] == [] and anonymous["anonymous"] is True and anonymous["verifiable"] is True
    assert anonymous["violator"] == "Cán bộ địa chính xã" and anonymous["evidence"] == "Biên lai"


def test_registering_errors_name_the_actual_field(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on(
        "POST",
        "/intake/petitions",
        422,
        {
            "status": 422,
            "errors": [
                {"field": "content", "message": "Missing data for required field."},
                {"field": "senders[0].phone", "message": "Not a phone number."},
            ],
        },
    )
    resp = client.post(
        "/petitions/new",
        data=_form(
            csrf,
            content="",
            rows="3",
            **{
                "senders-0-full_name": "",
                "senders-0-id_number": "",
                "senders-0-is_representative": "",
                "senders-2-full_name": "Trần Thị Năm",
                "senders-2-phone": "abc",
            },
        ),
    )
    html = page(resp)
    assert resp.status_code == 422
    assert "Chưa ghi nội dung vụ việc." in html and "Cần ghi ít nhất một người" not in html
    assert 'id="err-senders-2-phone"' in html and "Điện thoại (người thứ 3)" in html
    assert "Trần Thị Năm" in html  # nothing typed is lost


def test_enter_in_a_field_does_not_register_a_half_filled_petition(signed_in, fake_gateway):
    client, csrf = signed_in
    resp = client.post("/petitions/new", data=_form(csrf, action="enter", content=""))
    assert resp.status_code == 200 and "Đơn chưa được ghi." in page(resp)
    assert not fake_gateway.sent("POST", "/intake/petitions")


def test_adding_a_sender_keeps_the_keyboard_on_the_new_row(signed_in, fake_gateway):
    client, csrf = signed_in
    html = page(client.post("/petitions/new", data=_form(csrf, action="add_row")))
    assert 'id="senders-2-full_name"' in html
    assert 'name="senders-2-full_name" value=""  autofocus' in html or (
        'id="senders-2-full_name"' in html
        and html.split('id="senders-2-full_name"')[1].split(">")[0].endswith("autofocus")
    )
    assert not fake_gateway.sent("POST", "/intake/petitions")


def test_a_petition_from_a_visit_starts_with_the_visits_matter_and_citizens(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/visits/v-1", 200, VISIT)
    html = page(client.get("/petitions/new?visit_id=v-1"))
    assert 'name="visit_id" value="v-1"' in html and "947/2026/000001" in html
    assert 'value="Nguyễn Văn Tư"' in html and "Khiếu nại thu hồi đất" in html


def test_the_book_passes_filters_and_shows_days_left(signed_in, fake_gateway):
    client, _csrf = signed_in
    due = (TODAY + dt.timedelta(days=3)).isoformat()
    fake_gateway.on("GET", "/intake/petitions", 200, {"items": [{**PETITION, "deadline": due}], "next_cursor": None})
    html = page(client.get("/petitions?from=01/11/2026&to=30/11/2026&status=received&channel=forwarded&overdue=false"))
    query = fake_gateway.sent("GET", "/intake/petitions")[-1]["query"]
    assert query["from"] == ["2026-11-01T00:00:00+07:00"] and query["to"] == ["2026-12-01T00:00:00+07:00"]
    assert query["status"] == ["received"] and query["channel"] == ["forwarded"] and query["overdue"] == ["false"]
    assert "DON-947/2026/000007" in html and "còn 3 ngày" in html and "Cơ quan khác chuyển đến" in html
    assert "Nguyễn Văn Tư" in html and "mới nhận" in html


def test_the_due_list_puts_overdue_first_with_days_late_then_due_soon(signed_in, fake_gateway):
    client, _csrf = signed_in
    late = {
        **PETITION,
        "id": "p-2",
        "number": "DON-947/2026/000002",
        "deadline": (TODAY - dt.timedelta(days=2)).isoformat(),
    }
    soon = {**PETITION, "deadline": (TODAY + dt.timedelta(days=5)).isoformat()}
    later = {
        **PETITION,
        "id": "p-3",
        "number": "DON-947/2026/000003",
        "deadline": (TODAY + dt.timedelta(days=30)).isoformat(),
    }
    fake_gateway.on("GET", "/intake/petitions", 200, {"items": [late], "next_cursor": None})
    html_overdue_only = page(client.get("/petitions/due"))
    assert "quá hạn 2 ngày" in html_overdue_only
    asked = [r["query"] for r in fake_gateway.sent("GET", "/intake/petitions")]
    assert {"overdue": ["true"], "sort": ["deadline"], "limit": ["100"]} in asked
    assert {"overdue": ["false"], "sort": ["deadline"], "limit": ["100"]} in asked
    fake_gateway.on("GET", "/intake/petitions", 200, {"items": [soon, later], "next_cursor": None})
    html = page(client.get("/petitions/due"))
    soon_part = html.split('id="due-soon"', 1)[1]
    assert "còn 5 ngày" in soon_part and "DON-947/2026/000003" not in soon_part


def test_the_due_list_comes_from_intakes_due_list_when_it_has_one(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on(
        "GET",
        "/intake/petitions/due",
        200,
        {
            "items": [
                {
                    "petition_id": "p-2",
                    "number": "DON-947/2026/000002",
                    "category": "complaint",
                    "status": "received",
                    "stage": "acceptance",
                    "deadline": "2026-11-20",
                    "days_left": -3,
                    "overdue": True,
                    "field": "land",
                },
                {
                    "petition_id": "p-1",
                    "number": "DON-947/2026/000007",
                    "category": "denunciation",
                    "status": "accepted",
                    "stage": "resolution",
                    "deadline": "2026-12-01",
                    "days_left": 2,
                    "overdue": False,
                    "field": "land",
                },
            ]
        },
    )
    html = page(client.get("/petitions/due"))
    assert fake_gateway.sent("GET", "/intake/petitions/due")[-1]["query"] == {"within": ["7"]}
    overdue, soon = html.split('id="due-overdue"', 1)[1].split('id="due-soon"', 1)
    assert "DON-947/2026/000002" in overdue and "quá hạn 3 ngày" in overdue and "/petitions/p-2" in overdue
    assert "DON-947/2026/000007" in soon and "còn 2 ngày" in soon and "Giải quyết" in soon
    assert not fake_gateway.sent("GET", "/intake/petitions")


def test_the_petition_screens_speak_english_when_chosen(signed_in, fake_gateway):
    client, csrf = signed_in
    client.post("/lang/en", data={"csrf_token": csrf})
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, PETITION)
    html = page(client.get("/petitions/p-1"))
    assert "Petition DON-947/2026/000007" in html and "Forwarded by another body" in html and "Next steps" in html
    assert "Thụ lý" not in html and "Accept" in html
