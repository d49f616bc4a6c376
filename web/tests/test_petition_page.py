"""A petition's page against the stand-in gateway: its steps, repeats, grounds, its matter and its handler."""

from __future__ import annotations

from samples import PETITION, page


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
