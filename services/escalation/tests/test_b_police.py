"""The police update and close their own incidents (not another unit's), and read hot spots without an identity."""

import datetime as dt
import json

from tiepdan_common.testing import identity_headers

CITIZEN = "Nguyễn Văn Tư"


def police_unit(subject="police-947", *extra):
    return identity_headers(
        subject=subject,
        kind="police",
        unit="947",
        permissions=("incidents:read", "incidents:write", "alerts:read", "alerts:ack", "cases:read", *extra),
    )


def incident(clock, **extra):
    return {
        "unit": "31690",
        "field": "land",
        "place": "Trước trụ sở UBND huyện",
        "crowd_estimate": 30,
        "occurred_at": (clock() - dt.timedelta(minutes=30)).isoformat(),
        "public_order": False,
        "summary": "Tụ tập trước cổng",
        **extra,
    }


def test_the_police_update_and_close_their_own_incident(client, officer, clock, checked_events):
    made = client.post("/incidents", json=incident(clock), headers=police_unit())
    assert made.status_code == 201 and made.json["status"] == "open"
    iid, case_id = made.json["id"], made.json["case_id"]
    grown = client.post(f"/incidents/{iid}", headers=police_unit(), json={"crowd_estimate": 80, "public_order": True})
    assert grown.status_code == 200, grown.json
    assert (grown.json["crowd_estimate"], grown.json["public_order"]) == (80, True)
    (updated,) = checked_events("escalation.incident.updated")
    assert updated["data"]["changed"] == ["crowd_estimate", "public_order"] and updated["data"]["case_id"] == case_id
    case = client.get(f"/cases/{case_id}", headers=officer).json
    assert case["public_order"] is True and "incident_updated" in [t["kind"] for t in case["timeline"]]
    future = client.post(
        f"/incidents/{iid}", headers=police_unit(), json={"occurred_at": (clock() + dt.timedelta(days=1)).isoformat()}
    )
    assert future.status_code == 422 and future.json["errors"][0]["field"] == "occurred_at"
    closed = client.post(f"/incidents/{iid}/close", headers=police_unit(), json={"outcome": "Đã giải tán"})
    assert closed.status_code == 200 and closed.json["status"] == "closed" and closed.json["closed_at"]
    assert [e["data"]["change"] for e in checked_events("escalation.incident.updated")] == ["updated", "closed"]
    assert client.post(f"/incidents/{iid}", headers=police_unit(), json={"crowd_estimate": 5}).status_code == 409
    assert client.post(f"/incidents/{iid}/close", headers=police_unit(), json={"outcome": "x y"}).status_code == 409
    assert client.get("/incidents?status=open", headers=police_unit()).json == []
    assert [i["id"] for i in client.get("/incidents?status=closed", headers=police_unit()).json] == [iid]


def test_the_police_cannot_change_another_units_incident(client, officer, clock):
    iid = client.post("/incidents", json=incident(clock), headers=police_unit()).json["id"]
    other = police_unit("police-948")
    assert client.post(f"/incidents/{iid}", headers=other, json={"crowd_estimate": 1}).status_code == 403
    assert client.post(f"/incidents/{iid}/close", headers=other, json={"outcome": "Đã xong"}).status_code == 403
    assert client.post(f"/incidents/{iid}/close", headers=officer, json={"outcome": "Đã xong"}).status_code == 403
    assert client.post("/incidents/nope/close", headers=police_unit(), json={"outcome": "Đã xong"}).status_code == 404
    assert client.get(f"/incidents/{iid}", headers=police_unit()).json["crowd_estimate"] == 30


def test_the_police_read_hot_spots_without_an_identity(client, admin, officer, handle, visit, clock):
    case = client.post(
        "/cases",
        headers=admin,
        json={"title": f"Ông {CITIZEN} và 20 hộ khiếu nại đất đai", "unit": "31690", "field": "land"},
    ).json
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    for days in (0, 1, 2):
        handle(visit(size=12, at=start + dt.timedelta(days=days)))
    police = police_unit("police-947", "hotspots:read")
    spots = client.get("/hotspots", headers=police)
    assert spots.status_code == 200 and spots.json, spots.json
    assert case["id"] in spots.json[0]["case_ids"]
    one = client.get(f"/hotspots/{spots.json[0]['id']}", headers=police)
    assert one.status_code == 200
    # The district reads the name on the case (the test would prove nothing otherwise); the police nowhere.
    assert CITIZEN in json.dumps(client.get(f"/cases/{case['id']}", headers=officer).json, ensure_ascii=False)
    for body in (spots.json, one.json, client.get(f"/cases/{case['id']}", headers=police).json):
        assert CITIZEN not in json.dumps(body, ensure_ascii=False)
    assert (
        client.post(f"/hotspots/{spots.json[0]['id']}", headers=police, json={"status": "defused"}).status_code == 403
    )


def test_an_officer_s_note_on_a_hot_spot_never_reaches_the_police(client, admin, officer, handle, visit):
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    for days in (0, 1, 2):
        handle(visit(size=12, at=start + dt.timedelta(days=days)))
    spot = client.get("/hotspots", headers=officer).json[0]
    noted = client.post(f"/hotspots/{spot['id']}", headers=admin, json={"note": f"Ông {CITIZEN} dẫn đầu đoàn"})
    assert noted.status_code == 200, noted.json
    assert CITIZEN in json.dumps(client.get(f"/hotspots/{spot['id']}", headers=officer).json, ensure_ascii=False)
    police = police_unit("police-947", "hotspots:read")
    for body in (
        client.get("/hotspots", headers=police).json,
        client.get(f"/hotspots/{spot['id']}", headers=police).json,
    ):
        assert CITIZEN not in json.dumps(body, ensure_ascii=False) and "note" not in json.dumps(body)
