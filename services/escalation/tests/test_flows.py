"""What a write sets off across aggregates, in order: the seams where a leaf service hands over to its flow.

Each path below goes through a flows module (case.flows.handling, incident.flows with hotspot.flows, the
visits' corrections with hotspot.flows): the police alerted, the hot spot's cases told, the timeline in order.
"""

import datetime as dt


def _kinds(client, headers, case_id):
    return [t["kind"] for t in client.get(f"/cases/{case_id}", headers=headers).json["timeline"]]


def test_a_case_flagged_for_public_order_alerts_the_police_before_the_change_is_noted(
    client, admin, officer, police, checked_events
):
    case = client.post("/cases", headers=admin, json={"title": "Khiếu nại đất đai", "unit": "31690", "field": "land"})
    assert case.status_code == 201, case.json
    before = _kinds(client, officer, case.json["id"])
    resp = client.post(f"/cases/{case.json['id']}/update", headers=officer, json={"public_order": True})
    assert resp.status_code == 200, resp.json
    added = _kinds(client, officer, case.json["id"])[len(before) :]
    assert added[:2] == ["police_alerted", "updated"] and "changed" in added, added
    (alert,) = client.get("/alerts?pending=true", headers=police).json
    assert alert["case"]["id"] == case.json["id"] and alert["reason"] == "public_order"
    (changed,) = checked_events("escalation.case.changed")
    assert [c["kind"] for c in changed["data"]["changes"]] == ["public_order"]
    again = client.post(f"/cases/{case.json['id']}/update", headers=officer, json={"public_order": True})
    assert again.status_code == 200 and len(client.get("/alerts", headers=police).json) == 1  # nothing changed


def test_an_incident_completes_a_hot_spot_that_alerts_the_police_and_tells_its_case(
    handle, visit, client, clock, officer, police, checked_events
):
    """A mass visit and an incident in seven days make an active hot spot (seeded rule): the incident's flow
    evaluates the windows, the hot-spot flow raises its alert and tells the open case it links."""
    handle(visit(size=12, at=clock() - dt.timedelta(hours=3)))
    (case,) = client.get("/cases", headers=officer).json
    assert client.get("/hotspots", headers=officer).json == []
    small = {
        "unit": "31690",
        "field": "land",
        "place": "Trước trụ sở UBND xã",
        "crowd_estimate": 3,
        "occurred_at": (clock() - dt.timedelta(hours=1)).isoformat(),
        "summary": "Tụ tập trước cổng",
        "public_order": False,
    }
    resp = client.post("/incidents", headers=police, json=small)
    assert resp.status_code == 201 and resp.json["case_id"] is None, resp.json
    (hotspot,) = client.get("/hotspots", headers=officer).json
    assert hotspot["status"] == "active" and hotspot["incidents"] == 1 and hotspot["case_ids"] == [case["id"]]
    (alert,) = client.get("/alerts?pending=true", headers=police).json
    assert alert["reason"] == "hotspot_active" and alert["hotspot"]["id"] == hotspot["id"]
    (linked,) = checked_events("escalation.case.changed")
    assert linked["data"]["case_id"] == case["id"]
    assert linked["data"]["changes"] == [{"kind": "hotspot_linked", "source": {"type": "hotspot", "id": hotspot["id"]}}]
    assert _kinds(client, officer, case["id"])[-1] == "changed"
