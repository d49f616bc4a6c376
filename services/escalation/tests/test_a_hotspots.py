"""Hot spots: a police alert when one turns active, wider windows (a field across the unit, a matter), rules
as data through the API, cooling down by rule, and the cases they link told of it."""

import datetime as dt

from escalation.hotspot.jobs import HotspotCooler

# 02:00 in Viet Nam (19:00 UTC the day before): no police officer is on a day shift.
NIGHT = dt.datetime(2026, 11, 25, 19, 0, tzinfo=dt.UTC)


def test_a_hot_spot_turning_active_at_night_alerts_the_police(handle, visit, client, officer, police):
    for minutes in (0, 20, 40):
        handle(visit(size=12, at=NIGHT + dt.timedelta(minutes=minutes)))
    (hotspot,) = client.get("/hotspots?status=active", headers=officer).json
    alerts = client.get("/alerts?pending=true", headers=police).json
    assert len(alerts) == 1, alerts
    (alert,) = alerts
    assert alert["reason"] == "hotspot_active" and alert["case"] is None
    assert alert["hotspot"]["id"] == hotspot["id"] and alert["hotspot"]["mass_visits"] == 3
    assert "Điểm nóng đang hoạt động" in alert["message"]
    handle(visit(size=12, at=NIGHT + dt.timedelta(minutes=60)))  # still active: no second alert
    assert len(client.get("/alerts?pending=true", headers=police).json) == 1
    ack = client.post(f"/alerts/{alert['id']}/ack", headers=police)
    assert ack.status_code == 200 and ack.json["acknowledged_by"] == "police-947"


def test_a_hot_spot_activated_by_hand_alerts_the_police(handle, visit, client, officer, police):
    for minutes in (0, 20):
        handle(visit(size=12, at=NIGHT + dt.timedelta(minutes=minutes)))
    (hotspot,) = client.get("/hotspots", headers=officer).json
    assert hotspot["status"] == "watching" and client.get("/alerts", headers=police).json == []
    client.post(f"/hotspots/{hotspot['id']}", headers=officer, json={"status": "active"})
    assert [a["hotspot"]["id"] for a in client.get("/alerts", headers=police).json] == [hotspot["id"]]


def test_the_open_cases_a_new_hot_spot_links_are_told_of_it(handle, visit, client, officer, checked_events):
    handle(visit(size=12, at=NIGHT))
    handle(visit(size=8, at=NIGHT + dt.timedelta(minutes=30)))  # joins the case, then makes a hot spot
    (case,) = client.get("/cases", headers=officer).json
    (hotspot,) = client.get("/hotspots", headers=officer).json
    kinds = [[c["kind"] for c in e["data"]["changes"]] for e in checked_events("escalation.case.changed")]
    assert kinds == [["visit_joined"], ["hotspot_linked"]]
    linked = checked_events("escalation.case.changed")[-1]["data"]
    assert linked["case_id"] == case["id"] and linked["changes"][0]["source"]["id"] == hotspot["id"]


def test_rules_are_read_and_edited_through_the_api(client, officer, admin):
    names = [r["name"] for r in client.get("/hotspots/rules", headers=officer).json]
    assert "3 đoàn đông người trong 7 ngày" in names
    body = {
        "scope": "field",
        "window_days": 3,
        "min_mass_visits": 2,
        "status": "active",
        "field": "land",
        "cool_down_days": 5,
    }
    resp = client.put("/hotspots/rules/land-across-the-district", headers=admin, json=body)
    assert resp.status_code == 200, resp.json
    assert resp.json["scope"] == "field" and resp.json["field"] == "land" and resp.json["cool_down_days"] == 5
    bad = client.put("/hotspots/rules/none", headers=admin, json={"scope": "matter"})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "min_mass_visits"
    wrong = client.put("/hotspots/rules/x", headers=admin, json={"scope": "galaxy", "min_mass_visits": 1})
    assert wrong.status_code == 422 and "scope" in str(wrong.json["errors"])
    assert client.put("/hotspots/rules/x", headers=officer, json=body).status_code == 403
    assert client.delete("/hotspots/rules/land-across-the-district", headers=admin).status_code == 204
    assert client.delete("/hotspots/rules/land-across-the-district", headers=admin).status_code == 404


def test_a_field_across_the_unit_and_a_matter_have_windows_of_their_own(
    handle, visit, client, admin, officer, police, checked_events
):
    client.put(
        "/hotspots/rules/land-across-the-district",
        headers=admin,
        json={"scope": "field", "min_mass_visits": 2, "status": "active"},
    )
    client.put(
        "/hotspots/rules/one-matter", headers=admin, json={"scope": "matter", "min_citizens": 15, "status": "watching"}
    )
    # Two communes, one mass visit each: no commune's window crosses, the district's does.
    handle(visit(size=6, unit="31690", at=NIGHT))
    handle(visit(size=9, unit="31693", at=NIGHT + dt.timedelta(hours=1), matter_key="31693:land:kenh-3"))
    handle(visit(size=7, unit="31693", at=NIGHT + dt.timedelta(hours=2), matter_key="31693:land:kenh-3"))
    spots = {(h["scope"], h["unit"], h["matter_key"]): h for h in client.get("/hotspots", headers=officer).json}
    district = spots[("field", "947", "")]
    assert district["status"] == "active" and district["mass_visits"] == 3 and len(district["case_ids"]) == 2
    matter = spots[("matter", "31693", "31693:land:kenh-3")]
    assert matter["status"] == "watching" and matter["citizens"] == 16
    scoped = [e["data"] for e in checked_events("escalation.hotspot.detected") if e["data"].get("scope")]
    assert {d["scope"] for d in scoped} == {"field", "matter"}
    assert [a["hotspot"]["scope"] for a in client.get("/alerts", headers=police).json] == ["field"]


def test_a_hot_spot_cools_down_by_rule(handle, visit, client, admin, officer, db, clock, checked_events):
    rule = {"window_days": 7, "min_mass_visits": 2, "status": "watching", "cool_down_days": 3}
    client.put("/hotspots/rules/2 đoàn đông người trong 7 ngày", headers=admin, json=rule)
    for hours in (0, 1):
        handle(visit(size=12, at=clock() + dt.timedelta(hours=hours)))
    cooler = HotspotCooler(db, clock=clock)
    clock.advance(days=2)
    handle(visit(size=3, at=clock()))  # a small visit is no sign of heat
    assert cooler.tick() == 0
    clock.advance(days=2)
    assert cooler.tick() == 1
    (hotspot,) = client.get("/hotspots", headers=officer).json
    assert hotspot["status"] == "defused" and hotspot["defused_by"] == "cooled"
    assert checked_events("escalation.hotspot.detected")[-1]["data"]["status"] == "defused"
    # The seeded active rules set no cooling: a hot spot of theirs stays until defused by hand.
    assert all(
        r["cool_down_days"] is None
        for r in client.get("/hotspots/rules", headers=officer).json
        if r["name"] != rule.get("name", "2 đoàn đông người trong 7 ngày")
    )
