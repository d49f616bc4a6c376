"""Police incidents and alerts, and what the police can and cannot read."""

import json

from tiepdan_common.testing import identity_headers

CITIZEN = "Nguyễn Văn Tư"


def incident(**extra):
    return {
        "unit": "31690",
        "field": "land",
        "place": "Trước trụ sở UBND huyện",
        "crowd_estimate": 30,
        "occurred_at": "2026-11-26T02:30:00+00:00",
        "summary": "Tụ tập, căng băng rôn trước cổng",
        **extra,
    }


def test_an_incident_opens_a_public_order_case_and_an_alert(client, police, officer, checked_events):
    resp = client.post("/incidents", json=incident(), headers=police)
    assert resp.status_code == 201, resp.json
    case_id = resp.json["case_id"]
    (reported,) = checked_events("escalation.incident.reported")
    assert reported["data"]["case_id"] == case_id and reported["data"]["reported_by"] == "police-947"
    (opened,) = checked_events("escalation.case.opened")
    assert opened["data"]["public_order"] is True and opened["data"]["source"]["type"] == "incident"
    (alert,) = client.get("/alerts?pending=true", headers=police).json
    assert alert["case"]["id"] == case_id and "an ninh trật tự" in alert["message"]
    ack = client.post(f"/alerts/{alert['id']}/ack", headers=police)
    assert ack.status_code == 200 and ack.json["acknowledged_by"] == "police-947"
    assert client.get("/alerts?pending=true", headers=police).json == []
    assert [i["id"] for i in client.get("/incidents", headers=police).json] == [resp.json["id"]]


def test_an_incident_about_a_known_case_flags_it(client, police, officer, admin):
    case = client.post(
        "/cases", headers=admin, json={"title": "Khiếu nại đất đai", "unit": "31690", "field": "land"}
    ).json
    assert case["public_order"] is False
    resp = client.post("/incidents", json=incident(case_id=case["id"], crowd_estimate=3), headers=police)
    assert resp.status_code == 201
    detail = client.get(f"/cases/{case['id']}", headers=officer).json
    assert detail["public_order"] is True and "incident" in [t["kind"] for t in detail["timeline"]]
    bad = client.post("/incidents", json=incident(case_id="nope"), headers=police)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "case_id"
    assert client.post("/incidents", json=incident(), headers=officer).status_code == 403


def test_nothing_the_police_read_names_a_citizen(client, police, officer, admin, outbox_events):
    case = client.post(
        "/cases",
        headers=admin,
        json={
            "title": f"Ông {CITIZEN} và 20 hộ khiếu nại bồi thường",
            "unit": "31690",
            "field": "compensation",
            "public_order": True,
        },
    ).json
    client.post(
        f"/cases/{case['id']}/dialogues",
        headers=officer,
        json={
            "scheduled_at": "2026-11-27T02:00:00+00:00",
            "place": "Hội trường UBND xã",
            "participants": [{"name": CITIZEN, "role": "người đại diện"}],
        },
    )
    client.post(
        f"/cases/{case['id']}/progress",
        headers=officer,
        json={"status": "in_progress", "note": f"Đã làm việc với ông {CITIZEN}"},
    )
    client.post(
        f"/cases/{case['id']}/close",
        headers=officer,
        json={"reason": "withdrawn", "outcome": f"Ông {CITIZEN} đồng ý rút đơn"},
    )
    # The district sees the names (the test would be empty otherwise) ...
    assert CITIZEN in json.dumps(client.get(f"/cases/{case['id']}", headers=officer).json, ensure_ascii=False)
    # ... the police nowhere.
    for path in ("/cases", f"/cases/{case['id']}", "/alerts", "/incidents"):
        resp = client.get(path, headers=police)
        assert resp.status_code == 200, path
        assert CITIZEN not in json.dumps(resp.json, ensure_ascii=False), path
    for path in (f"/cases/{case['id']}/dialogues", "/cases/report", f"/cases/{case['id']}/escalation"):
        assert client.get(path, headers=police).status_code == 403, path
    detail = client.get(f"/cases/{case['id']}", headers=police).json
    assert set(detail["timeline"][0]) == {"at", "kind"} and "close_reason" not in detail
    assert detail["title"] == "Vụ việc lĩnh vực bồi thường, hỗ trợ, tái định cư, Xã Đại Tâm"
    # Nor does any event (notify forwards them to the police and others).
    assert outbox_events() and CITIZEN not in json.dumps(outbox_events(), ensure_ascii=False)


def test_a_commune_cannot_read_alerts_or_incidents(client):
    commune = identity_headers(subject="commune-31690", kind="commune", unit="31690", permissions=("cases:read",))
    assert client.get("/alerts", headers=commune).status_code == 403
    assert client.get("/incidents", headers=commune).status_code == 403
