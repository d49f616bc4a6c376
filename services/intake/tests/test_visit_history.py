"""A visit can be corrected or voided with a reason; the earlier version stays in its history (issue 21)."""

from tiepdan_common.testing import identity_headers


def test_a_correction_keeps_the_earlier_version(client, board, commune, visit_body, outbox_events):
    visit = client.post("/visits", json=visit_body(), headers=board).json
    assert visit["version"] == 1
    fixed = client.patch(
        f"/visits/{visit['id']}",
        headers=board,
        json={
            "reason": "Ghi nhầm ngày và nội dung",
            "version": 1,
            "received_at": "2024-06-04T10:00:00+07:00",
            "content": "Khiếu nại về bồi thường khi thu hồi đất",
            "field": "land",
        },
    )
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["version"] == 2 and fixed.json["content"].startswith("Khiếu nại về bồi thường")
    assert fixed.json["serial"] == visit["serial"]
    stale = client.patch(f"/visits/{visit['id']}", headers=board, json={"reason": "x", "version": 1, "content": "y"})
    assert stale.status_code == 409 and stale.json["errors"][0]["field"] == "version"
    history = client.get(f"/visits/{visit['id']}/history", headers=board).json
    assert [(h["version"], h["action"], h["reason"]) for h in history] == [
        (1, "corrected", "Ghi nhầm ngày và nội dung")
    ]
    assert history[0]["before"]["content"] == visit["content"]
    assert client.get("/visits", headers=board, query_string={"q": "boi thuong"}).json["items"][0]["id"] == visit["id"]
    gone = client.patch(
        f"/visits/{visit['id']}", headers=board, json={"reason": "x", "received_at": "2026-08-03T09:00:00+07:00"}
    )
    assert gone.status_code == 422 and gone.json["errors"][0]["field"] == "receiving_unit"
    assert (
        client.patch(
            f"/visits/{visit['id']}", headers=commune("31684"), json={"reason": "x", "content": "y"}
        ).status_code
        == 404
    )
    events = outbox_events("intake.visit.corrected")
    assert [(e["data"]["action"], e["data"]["version"], e["data"]["changed_fields"]) for e in events] == [
        ("corrected", 2, ["content", "field", "received_at"])
    ]


def test_a_voided_visit_leaves_the_register_but_keeps_its_history(client, board, visit_body, outbox_events):
    visit = client.post("/visits", json=visit_body(), headers=board).json
    kept = client.post("/visits", json=visit_body(), headers=board).json
    voided = client.post(f"/visits/{visit['id']}/void", headers=board, json={"reason": "Nhập trùng"})
    assert voided.status_code == 200 and voided.json["voided_at"] and voided.json["void_reason"] == "Nhập trùng"
    assert [v["id"] for v in client.get("/visits", headers=board).json["items"]] == [kept["id"]]
    every = client.get("/visits", headers=board, query_string={"voided": "true"}).json["items"]
    assert {v["id"] for v in every} == {visit["id"], kept["id"]}
    period = {"from": "2024-06-01T00:00:00+07:00", "to": "2024-06-30T00:00:00+07:00"}
    assert client.get("/visits/statistics", headers=board, query_string=period).json["total"] == 1
    again = client.post(f"/visits/{visit['id']}/void", headers=board, json={"reason": "lần nữa"})
    assert again.status_code == 409
    police = identity_headers(kind="police", unit="947", permissions=("visits:read", "visits:write"))
    assert client.post(f"/visits/{kept['id']}/void", headers=police, json={"reason": "x"}).status_code == 403
    assert client.get(f"/visits/{visit['id']}/history", headers=board).json[0]["action"] == "voided"
    assert outbox_events("intake.visit.corrected")[0]["data"]["action"] == "voided"
