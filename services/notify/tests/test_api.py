"""Rules, ladders and deliveries over HTTP: permissions, validation, the record of who was told."""

from tiepdan_common.testing import identity_headers


def test_rules_are_seeded_data_that_can_be_changed(client, board, admin, handle, make_event, static_roster, query):
    rules = client.get("/rules", headers=board).json
    names = {r["name"] for r in rules}
    assert {"case-opened", "case-escalated", "daily-summary", "province-request-completed"} <= names
    assert client.put("/rules/x", headers=board, json={}).status_code == 403

    bad = client.put(
        "/rules/overdue-to-ttr",
        headers=admin,
        json={"event_type": "intake.petition.overdue", "audiences": [{"type": "nobody"}]},
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "audiences[0].type"
    bad = client.put(
        "/rules/overdue-to-ttr",
        headers=admin,
        json={
            "event_type": "intake.petition.overdue",
            "conditions": {"days_overdue": {"about": 3}},
            "audiences": [{"type": "agency", "value": "TTR"}],
        },
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "conditions"

    rule = client.put(
        "/rules/overdue-to-ttr",
        headers=admin,
        json={
            "event_type": "intake.petition.overdue",
            "conditions": {"days_overdue": {"gte": 10}},
            "audiences": [{"type": "agency", "value": "TTR"}],
            "urgent": True,
        },
    )
    assert rule.status_code == 200, rule.json
    roster = static_roster(
        ["btcd-01"],
        agencies={"TTR": [{"code": "ttr-01", "full_name": "Phạm Minh Đức", "agency": "TTR", "channels": []}]},
    )
    for days in (6, 12):
        event = make_event("intake.petition.overdue", days_overdue=days)
        handle(event, roster)
        told = client.get("/inbox", headers=board, query_string={"recipient": "ttr-01"}).json
        assert len(told) == (0 if days == 6 else 1)
    assert told[0]["urgent"] is True and told[0]["title"] == "[KHẨN] Đơn 947/2026/000123 quá hạn 12 ngày"


def test_the_record_of_who_was_told(client, board, officer, handle, make_event, static_roster):
    handle(make_event("escalation.case.opened"), static_roster(["btcd-01", "ttr-01"]))
    record = client.get(
        "/deliveries", headers=board, query_string={"case_id": "6f1c2a9e-0000-4000-8000-000000000001"}
    ).json
    assert sorted((d["recipient"], d["channel"], d["status"]) for d in record) == [
        ("btcd-01", "email", "pending"),
        ("btcd-01", "inbox", "sent"),
        ("btcd-01", "sms", "pending"),
        ("ttr-01", "email", "pending"),
        ("ttr-01", "inbox", "sent"),
        ("ttr-01", "sms", "pending"),
    ]
    assert client.get("/deliveries", headers=officer("btcd-01")).status_code == 403
    assert client.get("/deliveries", headers=board, query_string={"status": "lost"}).status_code == 422
    assert client.get("/deliveries/nope", headers=board).status_code == 404
    assert client.get("/deliveries").status_code == 401
    ladders = client.get("/ladders/btcd-01", headers=board).json
    assert [lad["urgency"] for lad in ladders] == ["urgent", "normal"]
    assert ladders[1]["steps"][1] == {"after_seconds": 300, "channels": ["sms", "email"]}
    message = client.get("/inbox", headers=officer("btcd-01")).json[0]
    assert message["title_en"].startswith("New case VV-2026-0007") and message["urgent"] is False


def test_the_public_routes_need_no_permission_but_the_gateway_identity(client):
    assert client.post("/sms/inbound", json={"text": "123456"}).status_code == 401  # no gateway identity
    nobody = identity_headers(subject="anonymous", kind="service", permissions=())
    unsigned = client.post("/sms/inbound", json={"from": "+84299000001", "text": "123456"}, headers=nobody)
    assert unsigned.status_code == 401 and unsigned.json["code"] == "bad_signature"


def test_the_openapi_document_lists_every_route(client, board):
    paths = client.get("/openapi.json", headers=board).json["paths"]
    for path in (
        "/inbox",
        "/inbox/{message_id}/ack",
        "/deliveries",
        "/deliveries/{delivery_id}/retry",
        "/rules",
        "/rules/{name}",
        "/ladders/{recipient}/{urgency}",
        "/sms/inbound",
        "/ack/{token}",
    ):
        assert path in paths, path
