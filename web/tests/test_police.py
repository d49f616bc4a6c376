"""Police incidents and a hot spot's detail against the stand-in gateway."""

from __future__ import annotations

from samples import CASE, page

INCIDENT = {
    "id": "i-1",
    "unit": "31690",
    "field": "land",
    "place": "Trước UBND xã Đại Tâm",
    "occurred_at": "2026-11-26T01:30:00+00:00",
    "crowd_estimate": 30,
    "summary": "Tụ tập trước trụ sở",
    "public_order": True,
    "case_id": "c-1",
    "reported_by": "ca-01",
    "reported_at": "2026-11-26T01:40:00+00:00",
    "status": "open",
    "closed_at": None,
    "outcome": None,
}


def _police(client, fake_gateway, make_token):
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
                "hotspots:read",
                "inbox:read",
            ],
        },
    )
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    client.post("/login", data={"username": "ca-01", "password": "demo-ca-01", "csrf_token": csrf})
    with client.session_transaction() as s:
        return s["csrf"]


def test_the_police_report_an_incident_then_update_and_close_it(client, fake_gateway, make_token):
    csrf = _police(client, fake_gateway, make_token)
    fake_gateway.on("POST", "/escalation/incidents", 201, INCIDENT)
    resp = client.post(
        "/board/incidents/new",
        data={
            "csrf_token": csrf,
            "unit": "31690",
            "field": "land",
            "place": "Trước UBND xã Đại Tâm",
            "occurred_at": "26/11/2026 08:30",
            "crowd_estimate": "30",
            "summary": "Tụ tập trước trụ sở",
            "public_order": "on",
        },
    )
    assert resp.status_code == 302 and resp.location.endswith("/board/incidents/i-1")
    assert fake_gateway.sent("POST", "/escalation/incidents")[0]["json"] == {
        "unit": "31690",
        "field": "land",
        "place": "Trước UBND xã Đại Tâm",
        "summary": "Tụ tập trước trụ sở",
        "occurred_at": "2026-11-26T08:30:00+07:00",
        "crowd_estimate": 30,
        "public_order": True,
    }
    fake_gateway.on("GET", "/escalation/incidents/i-1", 200, INCIDENT)
    html = page(client.get("/board/incidents/i-1"))
    assert "khoảng 30 người" in html and 'id="incident-close"' in html and "26/11/2026 08:30" in html
    fake_gateway.on("POST", "/escalation/incidents/i-1", 200, {**INCIDENT, "crowd_estimate": 80})
    client.post(
        "/board/incidents/i-1/update",
        data={
            "csrf_token": csrf,
            "place": "Trước UBND xã Đại Tâm",
            "occurred_at": "26/11/2026 08:30",
            "crowd_estimate": "80",
            "summary": "Đông hơn",
            "public_order": "on",
        },
    )
    update = fake_gateway.sent("POST", "/escalation/incidents/i-1")[0]["json"]
    assert update["crowd_estimate"] == 80 and "unit" not in update and update["summary"] == "Đông hơn"
    fake_gateway.on(
        "POST",
        "/escalation/incidents/i-1/close",
        422,
        {"status": 422, "errors": [{"field": "outcome", "message": "Shorter than minimum length 2."}]},
    )
    resp = client.post("/board/incidents/i-1/close", data={"csrf_token": csrf, "outcome": ""})
    assert resp.status_code == 422 and "Quá ngắn: cần ít nhất 2 ký tự." in page(resp)


def test_a_hot_spot_shows_its_trend_cases_and_takes_an_owner(signed_in, fake_gateway):
    client, csrf = signed_in
    weeks = [
        {"until": f"2026-11-{d:02d}T02:00:00+00:00", "mass_visits": m, "citizens": c, "incidents": i}
        for d, m, c, i in ((5, 1, 6, 0), (12, 0, 0, 0), (19, 2, 16, 1), (26, 1, 30, 0))
    ]
    spot = {
        "id": "h-1",
        "unit": "31690",
        "field": "land",
        "scope": "commune_field",
        "status": "active",
        "rule": "3 đoàn đông người trong 7 ngày",
        "owner": None,
        "mass_visits": 4,
        "citizens": 52,
        "incidents": 1,
        "detected_at": "2026-11-20T02:00:00+00:00",
        "case_ids": ["c-1"],
        "trend": weeks,
    }
    fake_gateway.on("GET", "/escalation/hotspots/h-1", 200, spot)
    fake_gateway.on("GET", "/escalation/cases/c-1", 200, CASE)
    fake_gateway.on("GET", "/roster/agencies", 200, [{"code": "TNMT", "name": "Phòng TN&MT", "kind": "department"}])
    html = page(client.get("/board/hotspots/h-1"))
    trend = html.split('id="hotspot-trend"', 1)[1].split("</table>", 1)[0]
    assert trend.count("<tr>") == 5 and "19/11/2026" in trend and ">16<" in trend
    assert "3 đoàn đông người trong 7 ngày" in html and "VV-2026-0001" in html
    fake_gateway.on("POST", "/escalation/hotspots/h-1", 200, spot)
    client.post("/board/hotspots/h-1/change", data={"csrf_token": csrf, "owner": "TNMT", "note": "Họp ngày 28"})
    assert fake_gateway.sent("POST", "/escalation/hotspots/h-1")[0]["json"] == {"owner": "TNMT", "note": "Họp ngày 28"}


def test_hot_spot_rules_are_read_in_words_and_changed_by_who_may(signed_in, fake_gateway, client, make_token):
    board, _csrf = signed_in
    rule = {
        "id": "r-1",
        "name": "3 đoàn đông người trong 7 ngày",
        "scope": "commune_field",
        "window_days": 7,
        "min_mass_visits": 3,
        "min_citizens": None,
        "min_incidents": None,
        "field": None,
        "status": "active",
        "active": True,
        "cool_down_days": 14,
    }
    fake_gateway.on("GET", "/escalation/hotspots/rules", 200, [rule])
    html = page(board.get("/board/hotspots/rules"))
    assert "trong 7 ngày; từ 3 đoàn đông người" in html and "sau 14 ngày yên" in html
    assert "Chỉ quản trị hệ thống được sửa quy tắc." in html and "rule-form" not in html
    token = make_token(sub="admin", name="Quản trị", roles=[], kind="admin", unit="947")
    fake_gateway.on(
        "POST",
        "/auth/token",
        200,
        {
            "access_token": token,
            "expires_in": 3600,
            "kind": "admin",
            "unit": "947",
            "permissions": ["hotspots:read", "rules:write", "cases:read"],
        },
    )
    admin = board.application.test_client()
    admin.get("/login")
    with admin.session_transaction() as s:
        csrf = s["csrf"]
    admin.post("/login", data={"username": "admin", "password": "x", "csrf_token": csrf})
    with admin.session_transaction() as s:
        csrf = s["csrf"]
    assert "rule-form" in page(admin.get("/board/hotspots/rules"))
    fake_gateway.on("PUT", "/escalation/hotspots/rules/.*", 200, rule)
    admin.post(
        "/board/hotspots/rules/3 đoàn đông người trong 7 ngày",
        data={
            "csrf_token": csrf,
            "scope": "commune_field",
            "window_days": "7",
            "min_mass_visits": "3",
            "min_citizens": "",
            "min_incidents": "",
            "cool_down_days": "21",
            "field": "",
            "status": "active",
            "active": "on",
        },
    )
    (sent,) = [r for r in fake_gateway.requests if r["method"] == "PUT"]
    assert sent["json"] == {
        "scope": "commune_field",
        "status": "active",
        "active": True,
        "field": None,
        "window_days": 7,
        "min_mass_visits": 3,
        "min_citizens": None,
        "min_incidents": None,
        "cool_down_days": 21,
    }
