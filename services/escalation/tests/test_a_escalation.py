"""Escalations that never stop: a policy edited or deleted mid-ladder, a broken escalation among good ones,
changes that matter re-escalating, and a case chased by check-ins until it is closed."""

import pytest
from sqlalchemy import select, update

from escalation.case.models import Case
from escalation.policy.jobs import run_due
from escalation.policy.models import Escalation

LADDER = {
    "priority": 1,
    "description": "test",
    "steps": [
        {"target": {"type": "on_duty_role", "value": "lead"}, "wait_minutes": 10},
        {"target": {"type": "leader_on_call"}, "wait_minutes": 10},
        {"target": {"type": "agency", "value": "TTR"}, "wait_minutes": 10},
        {"target": {"type": "province"}, "wait_minutes": 10},
    ],
    "progress_timeout_minutes": 30,
    "check_in_minutes": 120,
}
UNITS = ("31690", "31693", "31711")


@pytest.fixture
def ladder(client, admin):
    resp = client.put("/policies/ladder", json=LADDER, headers=admin)
    assert resp.status_code == 200, resp.json
    return resp.json


def open_case(client, officer, unit="31690", field="land", **extra):
    body = {"title": "Đoàn đông người khiếu nại", "unit": unit, "field": field, "severity": "medium", **extra}
    resp = client.post("/cases", json=body, headers=officer)
    assert resp.status_code == 201, resp.json
    return resp.json


def sent(checked_events, case_id):
    return [
        e["data"]["target"]["type"]
        for e in checked_events("escalation.case.escalated")
        if e["data"]["case_id"] == case_id
    ]


def kinds(client, officer, case_id):
    return [t["kind"] for t in client.get(f"/cases/{case_id}", headers=officer).json["timeline"]]


def test_shortening_a_policy_mid_ladder_stops_no_escalation(db, clock, client, admin, officer, ladder, checked_events):
    cases = [open_case(client, officer, unit=unit) for unit in UNITS]
    assert run_due(db=db, now=clock()) == 3
    assert run_due(db=db, now=clock.advance(minutes=10)) == 3  # each at step 1 of 4
    shorter = {**LADDER, "steps": LADDER["steps"][:1]}
    assert client.put("/policies/ladder", json=shorter, headers=admin).status_code == 200
    # Every running escalation goes on with the steps it started with: none raises, none is held back.
    assert run_due(db=db, now=clock.advance(minutes=10)) == 3
    assert run_due(db=db, now=clock.advance(minutes=10)) == 3
    for case in cases:
        assert sent(checked_events, case["id"]) == ["on_duty_role", "leader_on_call", "agency", "province"]
        assert client.get(f"/cases/{case['id']}/escalation", headers=officer).json["status"] == "exhausted"
    # A case opened now runs on the shortened policy.
    fresh = open_case(client, officer, unit="31714")
    assert run_due(db=db, now=clock()) == 1
    assert client.get(f"/cases/{fresh['id']}/escalation", headers=officer).json["status"] == "exhausted"


def test_deleting_a_policy_mid_ladder_stops_no_escalation(db, clock, client, admin, officer, ladder, checked_events):
    case = open_case(client, officer)
    assert run_due(db=db, now=clock()) == 1
    assert client.delete("/policies/ladder", headers=admin).status_code == 204
    assert "ladder" not in [p["name"] for p in client.get("/policies", headers=officer).json]
    for _ in range(3):
        assert run_due(db=db, now=clock.advance(minutes=10)) == 1
    assert sent(checked_events, case["id"]) == ["on_duty_role", "leader_on_call", "agency", "province"]
    assert client.delete("/policies/ladder", headers=admin).status_code == 404


def test_one_broken_escalation_never_holds_back_the_others(db, clock, client, officer, ladder, checked_events):
    good = [open_case(client, officer, unit=unit) for unit in UNITS[:2]]
    broken = open_case(client, officer, unit=UNITS[2])
    with db.session() as s:  # a snapshot no code can read: its steps lack their target
        s.execute(
            update(Escalation)
            .where(Escalation.case_id == broken["id"])
            .values(policy_snapshot={"name": "ladder", "steps": [{"wait_minutes": 5}]})
        )
    assert run_due(db=db, now=clock()) == 3
    for case in good:
        assert sent(checked_events, case["id"]) == ["on_duty_role"]
    # The broken one's step went to the fallback target, on its timeline, and it is tried again later.
    fallback = [e["data"] for e in checked_events("escalation.case.escalated") if e["data"]["case_id"] == broken["id"]]
    assert [(e["target"]["type"], e.get("fallback")) for e in fallback] == [("leader_on_call", True)]
    assert "step_failed" in kinds(client, officer, broken["id"])
    for _ in range(2):
        run_due(db=db, now=clock.advance(minutes=15))
    state = client.get(f"/cases/{broken['id']}/escalation", headers=officer).json
    assert state["status"] == "failed" and "escalation_failed" in kinds(client, officer, broken["id"])
    assert len(sent(checked_events, broken["id"])) == 3
    for case in good:
        assert sent(checked_events, case["id"]) == ["on_duty_role", "leader_on_call", "agency"]


def test_a_step_that_cannot_run_goes_to_the_fallback_target(db, clock, client, admin, officer, checked_events):
    # The owner agency of a case opened without one does not exist: the leader on call is told instead.
    policy = {
        **LADDER,
        "steps": [
            {"target": {"type": "agency"}, "wait_minutes": 5},
            {"target": {"type": "on_duty_role", "value": "lead"}, "wait_minutes": 5},
        ],
    }
    assert client.put("/policies/owner-first", json=policy, headers=admin).status_code == 200
    case = open_case(client, officer, field="nothing-known")
    assert run_due(db=db, now=clock()) == 1
    (event,) = checked_events("escalation.case.escalated")
    assert event["data"]["target"] == {"type": "leader_on_call", "value": None} and event["data"]["fallback"]
    assert "step_failed" in kinds(client, officer, case["id"])
    assert run_due(db=db, now=clock.advance(minutes=5)) == 1
    assert sent(checked_events, case["id"]) == ["leader_on_call", "on_duty_role"]


def test_a_crowd_that_grows_is_announced_and_re_escalated(
    db, clock, client, officer, admin, ladder, handle, visit, checked_events
):
    handle(visit(size=6))
    (case,) = client.get("/cases", headers=officer).json
    assert client.post(f"/cases/{case['id']}/acknowledge", json={}, headers=officer).status_code == 200
    assert run_due(db=db, now=clock()) == 0  # acknowledged: no step
    handle(visit(size=80))  # joins the case (and makes the place a watched hot spot: told apart, after)
    changed, linked = checked_events("escalation.case.changed")
    assert linked["data"]["changes"][0]["kind"] == "hotspot_linked" and linked["data"]["re_escalated"] is False
    data = changed["data"]
    assert data["re_escalated"] is True and data["group_size"] == 80 and data["severity"] == "critical"
    assert {c["kind"] for c in data["changes"]} == {"group_size", "severity", "visit_joined"}
    assert next(c for c in data["changes"] if c["kind"] == "group_size")["thresholds"] == [20, 50]
    assert {"changed", "re_escalated"} <= set(kinds(client, officer, case["id"]))
    assert run_due(db=db, now=clock.advance(seconds=5)) == 1  # the new cycle's first step is due at once
    state = client.get(f"/cases/{case['id']}/escalation", headers=officer).json
    assert state["cycle"] == 1 and state["status"] == "active"
    # A small visit joining: announced (a visit joined), re-escalated by the policy's list of triggers.
    assert (
        client.put("/policies/ladder", json={**LADDER, "reescalate_on": ["public_order"]}, headers=admin).status_code
        == 200
    )
    handle(visit(size=7))
    last = checked_events("escalation.case.changed")[-1]["data"]
    assert [c["kind"] for c in last["changes"]] == ["visit_joined"] and last["re_escalated"] is False


def test_severity_raised_or_public_order_flagged_re_escalates(db, clock, client, officer, ladder, checked_events):
    case = open_case(client, officer)
    run_due(db=db, now=clock())
    client.post(f"/cases/{case['id']}/acknowledge", json={}, headers=officer)
    resp = client.post(f"/cases/{case['id']}/update", json={"severity": "high"}, headers=officer)
    assert resp.status_code == 200, resp.json
    resp = client.post(f"/cases/{case['id']}/update", json={"public_order": True}, headers=officer)
    assert resp.status_code == 200
    changed = [e["data"] for e in checked_events("escalation.case.changed")]
    assert [[c["kind"] for c in d["changes"]] for d in changed] == [["severity"], ["public_order"]]
    assert changed[0]["re_escalated"] is True
    # Lowering the severity is no change that matters.
    client.post(f"/cases/{case['id']}/update", json={"severity": "low"}, headers=officer)
    assert len(checked_events("escalation.case.changed")) == 2


def test_a_stalled_case_is_chased_by_check_ins_until_closed(db, clock, client, officer, ladder, checked_events):
    case = open_case(client, officer)
    run_due(db=db, now=clock())
    client.post(f"/cases/{case['id']}/acknowledge", json={}, headers=officer)
    client.post(f"/cases/{case['id']}/progress", json={"status": "in_progress"}, headers=officer)
    assert run_due(db=db, now=clock.advance(minutes=119)) == 0
    client.post(f"/cases/{case['id']}/progress", json={"status": "citizens_returned"}, headers=officer)
    assert run_due(db=db, now=clock.advance(minutes=119)) == 0  # the report reset the check-in
    assert run_due(db=db, now=clock.advance(minutes=1)) == 1  # no report for 120 minutes: climb again
    (changed,) = checked_events("escalation.case.changed")
    assert changed["data"]["changes"][0]["kind"] == "check_in_missed" and changed["data"]["re_escalated"]
    assert "check_in_missed" in kinds(client, officer, case["id"])
    assert sent(checked_events, case["id"]) == ["on_duty_role", "on_duty_role"]
    client.post(f"/cases/{case['id']}/close", json={"reason": "resolved"}, headers=officer)
    assert run_due(db=db, now=clock.advance(days=3)) == 0


def test_policy_conditions_and_triggers_are_data(client, admin, officer):
    body = {
        **LADDER,
        "severities": ["critical"],
        "public_order_only": True,
        "hours_from": 22,
        "hours_to": 6,
        "group_size_thresholds": [30, 100],
        "reescalate_on": ["severity", "public_order"],
    }
    resp = client.put("/policies/night", json=body, headers=admin)
    assert resp.status_code == 200, resp.json
    (night,) = [p for p in client.get("/policies", headers=officer).json if p["name"] == "night"]
    assert night["group_size_thresholds"] == [30, 100] and night["reescalate_on"] == ["severity", "public_order"]
    assert night["check_in_minutes"] == 120
    bad = client.put("/policies/night", json={**body, "reescalate_on": ["weather"]}, headers=admin)
    assert bad.status_code == 422 and "reescalate_on" in bad.json["errors"][0]["field"]


def test_escalations_keep_the_policy_they_started_with(db, clock, client, officer, ladder):
    case = open_case(client, officer)
    with db.session() as s:
        snapshot = s.scalar(select(Escalation.policy_snapshot).where(Escalation.case_id == case["id"]))
        assert s.get(Case, case["id"]).matter_key == "31690:land"
    assert snapshot["name"] == "ladder" and len(snapshot["steps"]) == 4 and snapshot["check_in_minutes"] == 120
    state = client.get(f"/cases/{case['id']}/escalation", headers=officer).json
    assert state["next_target"] == {"type": "on_duty_role", "value": "lead"} and len(state["policy_steps"]) == 4
    run_due(db=db, now=clock())
    state = client.get(f"/cases/{case['id']}/escalation", headers=officer).json
    assert state["next_target"] == {"type": "leader_on_call", "value": None} and state["failures"] == 0


def test_the_changed_event_has_a_contract_and_is_documented():
    from pathlib import Path

    from tiepdan_common.messaging import contracts

    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    assert contracts.contract_schema("escalation.case.changed")
    for documented in (
        "`escalation.case.changed`",
        "GET /cases/close-reasons",
        "GET /hotspots/rules",
        "source_type=visit&source_id=",
    ):
        assert documented in readme, documented


def test_a_step_for_the_police_raises_their_alert_on_a_case_without_public_order(
    db, clock, client, admin, officer, police
):
    """The alert comes from the step itself (policy.flows), not from a public-order flag raised at opening."""
    police_first = {**LADDER, "steps": [{"target": {"type": "police"}, "wait_minutes": 10}, *LADDER["steps"][:1]]}
    assert client.put("/policies/police-first", json=police_first, headers=admin).status_code == 200
    case = open_case(client, officer)
    assert not case["public_order"] and client.get("/alerts", headers=police).json == []
    assert run_due(db=db, now=clock()) == 1
    (alert,) = client.get("/alerts", headers=police).json
    assert alert["case"]["id"] == case["id"] and alert["reason"] == "escalation"
