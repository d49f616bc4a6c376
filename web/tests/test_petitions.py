"""Petition screens against the stand-in gateway: register, the book, a petition's steps, repeats, what is due."""

from __future__ import annotations

import datetime as dt

from samples import VISIT, page

from tiepdan_common.clock import LOCAL

PETITION = {
    "id": "p-1",
    "number": "DON-947/2026/000007",
    "receiving_unit": "947",
    "received_at": "2026-11-26T02:00:00+00:00",
    "channel": "forwarded",
    "visit_id": None,
    "forwarded_by": "Sở TN&MT",
    "category": "complaint",
    "field": "land",
    "origin_unit": "31690",
    "subject": "Bồi thường tỉnh lộ 940",
    "content": "Khiếu nại mức bồi thường",
    "anonymous": False,
    "sender_count": 1,
    "status": "received",
    "stage": "acceptance",
    "deadline": "2026-12-10",
    "inform_deadline": "2026-12-10",
    "citizen_informed_on": None,
    "senders": [{"full_name": "Nguyễn Văn Tư", "address": "Ấp Phước Hòa", "is_representative": True}],
    "decisions": [],
    "linked": [],
    "created_by": "btcd-01",
    "created_at": "2026-11-26T02:00:00+00:00",
}
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


def test_a_received_petition_offers_the_decisions_and_sends_a_forward_with_its_letter(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, PETITION)
    html = page(client.get("/petitions/p-1"))
    for step in ("accept", "guide", "forward", "return_to_lower_level", "archive"):
        assert f'id="step-{step}"' in html, step
    assert 'id="step-resolve"' not in html
    fake_gateway.on("POST", "/intake/petitions/p-1/decisions", 201, {**PETITION, "status": "forwarded"})
    client.post(
        "/petitions/p-1/steps/forward",
        data={
            "csrf_token": csrf,
            "taken_on": "27/11/2026",
            "to_body": "Phòng TN&MT",
            "letter_number": "15/BTCD",
            "letter_date": "27/11/2026",
        },
    )
    assert fake_gateway.sent("POST", "/intake/petitions/p-1/decisions")[0]["json"] == {
        "decision": "forward",
        "forwarded_to": "Phòng TN&MT (công văn số 15/BTCD, ngày 27/11/2026)",
    }


def test_with_the_lifecycle_api_each_step_posts_itself_with_its_fields(signed_in, fake_gateway):
    client, csrf = signed_in
    petition = {
        **PETITION,
        "status": "accepted",
        "allowed_steps": ["temporarily_suspend", "withdraw_part", "dialogue_skipped", "resolve"],
        "steps": [
            {
                "step": "accept",
                "taken_on": "2026-11-27",
                "recorded_by": "btcd-01",
                "basis": "Luật Khiếu nại 02/2011, Điều 27",
                "details": {},
                "deadline": "2026-12-27",
            }
        ],
    }
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, petition)
    html = page(client.get("/petitions/p-1"))
    assert "Tạm đình chỉ giải quyết" in html and "Rút một phần đơn" in html and 'id="step-accept"' not in html
    assert "Luật Khiếu nại 02/2011, Điều 27" in html and "hạn 27/12/2026" in html
    fake_gateway.on("POST", "/intake/petitions/p-1/steps", 201, petition)
    client.post(
        "/petitions/p-1/steps/dialogue_skipped",
        data={"csrf_token": csrf, "taken_on": "01/12/2026", "held_on": "30/11/2026", "reason": "Không đến"},
    )
    client.post(
        "/petitions/p-1/steps/resolve",
        data={"csrf_token": csrf, "taken_on": "05/12/2026", "outcome": "partly_upheld", "resolution": "Điều chỉnh giá"},
    )
    skipped, resolved = (r["json"] for r in fake_gateway.sent("POST", "/intake/petitions/p-1/steps"))
    assert skipped == {
        "step": "dialogue_skipped",
        "taken_on": "2026-12-01",
        "held_on": "2026-11-30",
        "valid_reason": False,
        "reason": "Không đến",
    }
    assert resolved == {
        "step": "resolve",
        "taken_on": "2026-12-05",
        "outcome": "partly_upheld",
        "resolution": "Điều chỉnh giá",
    }


def test_a_refused_step_says_why_in_words(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, {**PETITION, "allowed_steps": ["withdraw"], "steps": []})
    fake_gateway.on(
        "POST",
        "/intake/petitions/p-1/steps",
        409,
        {
            "status": 409,
            "code": "invalid_transition",
            "detail": "'withdraw' is not allowed from 'resolved' (only from: received, accepted)",
        },
    )
    resp = client.post(
        "/petitions/p-1/steps/withdraw", data={"csrf_token": csrf, "taken_on": "01/12/2026"}, follow_redirects=True
    )
    assert "Bước này không làm được ở trạng thái hiện tại của hồ sơ. (hồ sơ đang ở trạng thái «đã giải quyết»)" in page(
        resp
    )


def test_a_suggested_repeat_is_confirmed_or_overridden_with_a_reason(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on(
        "GET",
        "/intake/petitions/p-1",
        200,
        {**PETITION, "repeat_suggested_of": "p-0", "repeat_decision": None, "steps": []},
    )
    html = page(client.get("/petitions/p-1"))
    assert 'id="repeat-suggestion"' in html and "/petitions/p-0" in html
    fake_gateway.on("POST", "/intake/petitions/p-1/repeat", 200, PETITION)
    client.post(
        "/petitions/p-1/repeat",
        data={"csrf_token": csrf, "decision": "override", "reason": "Khiếu nại quyết định khác"},
    )
    client.post("/petitions/p-1/repeat", data={"csrf_token": csrf, "decision": "confirm", "reason": ""})
    override, confirm = (r["json"] for r in fake_gateway.sent("POST", "/intake/petitions/p-1/repeat"))
    assert override == {"decision": "override", "reason": "Khiếu nại quyết định khác"}
    assert confirm == {"decision": "confirm"}


def test_the_day_the_citizen_was_told_is_typed_day_month_year(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, {**PETITION, "status": "accepted"})
    assert 'id="step-informed"' in page(client.get("/petitions/p-1"))
    fake_gateway.on("POST", "/intake/petitions/p-1/citizen-informed", 200, PETITION)
    client.post("/petitions/p-1/informed", data={"csrf_token": csrf, "informed_on": "02/12/2026"})
    assert fake_gateway.sent("POST", "/intake/petitions/p-1/citizen-informed")[0]["json"] == {
        "informed_on": "2026-12-02"
    }


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


def test_not_accepting_offers_the_grounds_of_the_petitions_category(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, {**PETITION, "allowed_steps": ["not_accept"], "steps": []})
    fake_gateway.on(
        "GET",
        "/intake/petitions/grounds",
        200,
        {
            "items": [
                {
                    "code": "time_limit_expired",
                    "category": "complaint",
                    "name_vi": "Thời hiệu khiếu nại đã hết",
                    "source": "Luật Khiếu nại 02/2011/QH13, Điều 11 khoản 6",
                },
                {
                    "code": "anonymous_den",
                    "category": "denunciation",
                    "name_vi": "Tố cáo không rõ người tố cáo",
                    "source": "Luật Tố cáo",
                },
            ]
        },
    )
    html = page(client.get("/petitions/p-1"))
    select = html.split('id="not_accept-ground"', 1)[1].split("</select>", 1)[0]
    assert "Thời hiệu khiếu nại đã hết (Luật Khiếu nại 02/2011/QH13, Điều 11 khoản 6)" in select
    assert "anonymous_den" not in select
    fake_gateway.on("POST", "/intake/petitions/p-1/steps", 201, PETITION)
    client.post(
        "/petitions/p-1/steps/not_accept",
        data={"csrf_token": csrf, "taken_on": "27/11/2026", "ground": "time_limit_expired", "reason": ""},
    )
    assert fake_gateway.sent("POST", "/intake/petitions/p-1/steps")[0]["json"] == {
        "step": "not_accept",
        "taken_on": "2026-11-27",
        "ground": "time_limit_expired",
    }


def test_a_petition_shows_the_other_petitions_and_visits_of_its_matter(signed_in, fake_gateway):
    client, _csrf = signed_in
    key = "31690:land:boi-thuong-tinh-lo-940"
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, {**PETITION, "matter_key": key, "steps": []})
    fake_gateway.on(
        "GET",
        "/intake/matters/31690%3Aland%3Aboi-thuong-tinh-lo-940",
        200,
        {
            "matter_key": key,
            "history": [],
            "petitions": [
                {"id": "p-1", "number": "DON-947/2026/000007"},
                {
                    "id": "p-9",
                    "number": "DON-947/2026/000009",
                    "category": "complaint",
                    "status": "received",
                    "complaint_round": 2,
                    "received_at": "2026-11-27T02:00:00+00:00",
                    "sender_count": 3,
                },
            ],
            "visits": [
                {"id": "v-1", "serial": "947/2026/000001", "received_at": "2026-11-20T02:00:00+00:00", "group_size": 12}
            ],
        },
    )
    html = page(client.get("/petitions/p-1"))
    same = html.split('id="same-matter"', 1)[1].split("</ul>", 1)[0]
    assert "DON-947/2026/000009" in same and "(lần hai)" in same and "3 người" in same
    assert "Lượt tiếp 947/2026/000001" in same and "đoàn 12 người" in same and "DON-947/2026/000007" not in same


def test_the_petition_screens_speak_english_when_chosen(signed_in, fake_gateway):
    client, csrf = signed_in
    client.post("/lang/en", data={"csrf_token": csrf})
    fake_gateway.on("GET", "/intake/petitions/p-1", 200, PETITION)
    html = page(client.get("/petitions/p-1"))
    assert "Petition DON-947/2026/000007" in html and "Forwarded by another body" in html and "Next steps" in html
    assert "Thụ lý" not in html and "Accept" in html


def test_a_denunciation_is_assigned_a_handler_and_its_hidden_text_is_said_so(signed_in, fake_gateway):
    client, csrf = signed_in
    fake_gateway.on(
        "GET",
        "/intake/petitions/p-1",
        200,
        {
            **PETITION,
            "category": "denunciation",
            "content": None,
            "content_hidden": True,
            "handlers": [],
            "steps": [],
            "allowed_steps": [],
        },
    )
    fake_gateway.on(
        "GET",
        "/roster/officers",
        200,
        [
            {"code": "ttr-01", "full_name": "Phạm Thanh Tra", "role": "inspector", "agency_name": "Thanh tra huyện"},
            {"code": "ca-01", "full_name": "Lâm Văn Phúc", "role": "police"},
        ],
    )
    html = page(client.get("/petitions/p-1"))
    assert "Nội dung tố cáo chỉ người được phân công xử lý đơn mới xem được." in html
    select = html.split('id="handler-officer"', 1)[1].split("</select>", 1)[0]
    assert "Phạm Thanh Tra" in select and "Lâm Văn Phúc" not in select
    fake_gateway.on("POST", "/intake/petitions/p-1/handlers", 201, {"officer": "ttr-01"})
    client.post("/petitions/p-1/handlers", data={"csrf_token": csrf, "officer": "ttr-01"})
    assert fake_gateway.sent("POST", "/intake/petitions/p-1/handlers")[0]["json"] == {"officer": "ttr-01"}
