"""Escalations followed step by step with the clock: repeats, acknowledgement, progress, restarts."""

import datetime as dt

import pytest

from escalation.policy.jobs import EscalationTimer, run_due
from tiepdan_common.db import Database
from tiepdan_common.messaging.envelope import Envelope

POLICY = {
    "priority": 1,
    "description": "test",
    "steps": [
        {"target": {"type": "on_duty_role", "value": "lead"}, "wait_minutes": 10},
        {"target": {"type": "leader_on_call"}, "wait_minutes": 20},
        {"target": {"type": "police"}, "wait_minutes": 5, "public_order_only": True},
        {"target": {"type": "agency", "value": "TTR"}, "wait_minutes": 30},
    ],
    "repeat_from": 1,
    "max_repeats": 1,
    "progress_timeout_minutes": 45,
}


@pytest.fixture
def policy(client, admin):
    resp = client.put("/policies/test-chain", json=POLICY, headers=admin)
    assert resp.status_code == 200, resp.json
    return resp.json


@pytest.fixture
def open_case(client, officer, policy):
    def run(**extra):
        body = {
            "title": "Đoàn đông người khiếu nại thu hồi đất",
            "unit": "31690",
            "field": "land",
            "severity": "high",
            "group_size": 20,
            **extra,
        }
        resp = client.post("/cases", json=body, headers=officer)
        assert resp.status_code == 201, resp.json
        return resp.json

    return run


def targets(checked_events, case_id):
    return [
        (e["data"]["target"]["type"], e["data"]["step"]["repeat"])
        for e in checked_events("escalation.case.escalated")
        if e["data"]["case_id"] == case_id
    ]


def test_an_unacknowledged_escalation_walks_the_chain_then_repeats_then_stops(
    db, clock, open_case, checked_events, client, officer
):
    case = open_case()
    assert run_due(db=db, now=clock()) == 1
    assert targets(checked_events, case["id"]) == [("on_duty_role", 0)]
    assert run_due(db=db, now=clock.advance(minutes=9, seconds=59)) == 0
    assert run_due(db=db, now=clock.advance(seconds=1)) == 1
    # The police step applies only to public-order cases: skipped here.
    assert run_due(db=db, now=clock.advance(minutes=20)) == 1
    assert run_due(db=db, now=clock.advance(minutes=30)) == 1  # repeat from step 1
    assert run_due(db=db, now=clock.advance(minutes=20)) == 1
    assert run_due(db=db, now=clock.advance(days=1)) == 0
    assert targets(checked_events, case["id"]) == [
        ("on_duty_role", 0),
        ("leader_on_call", 0),
        ("agency", 0),
        ("leader_on_call", 1),
        ("agency", 1),
    ]
    state = client.get(f"/cases/{case['id']}/escalation", headers=officer).json
    assert state["status"] == "exhausted" and state["next_step_at"] is None and len(state["steps_sent"]) == 5
    agency = [e for e in checked_events("escalation.case.escalated") if e["data"]["target"]["type"] == "agency"][0]
    assert agency["data"]["target"]["value"] == "TTR" and agency["data"]["urgent"] is True


def test_a_public_order_case_reaches_the_police_and_raises_an_alert(
    db, clock, open_case, checked_events, client, police
):
    case = open_case(public_order=True)
    for minutes in (0, 10, 20):
        run_due(db=db, now=clock.advance(minutes=minutes))
    assert [t for t, _ in targets(checked_events, case["id"])] == ["on_duty_role", "leader_on_call", "police"]
    alerts = client.get("/alerts", headers=police).json
    assert [a["case"]["id"] for a in alerts] == [case["id"]]
    # The police acknowledge the alert: their step was the last sent, so the escalation stops.
    assert client.post(f"/alerts/{alerts[0]['id']}/ack", headers=police).status_code == 200
    assert run_due(db=db, now=clock.advance(minutes=5)) == 0
    assert checked_events("escalation.case.acknowledged")[0]["data"]["acknowledged_by"] == "police-947"


def test_an_acknowledgement_stops_it_and_one_without_progress_starts_it_again(
    db, clock, open_case, client, officer, checked_events
):
    case = open_case()
    run_due(db=db, now=clock())
    clock.advance(minutes=4)
    resp = client.post(f"/cases/{case['id']}/acknowledge", json={}, headers=officer)
    assert resp.status_code == 200 and resp.json["status"] == "acknowledged"
    (ack,) = checked_events("escalation.case.acknowledged")
    assert ack["data"]["via"] == "api" and ack["data"]["acknowledged_by"] == "btcd-01"
    assert run_due(db=db, now=clock.advance(minutes=40)) == 0  # step 1 would have been due at +10
    assert run_due(db=db, now=clock.advance(minutes=5)) == 1  # 45 minutes without progress: again
    assert targets(checked_events, case["id"]) == [("on_duty_role", 0), ("on_duty_role", 0)]
    kinds = [t["kind"] for t in client.get(f"/cases/{case['id']}", headers=officer).json["timeline"]]
    assert "acknowledgement_expired" in kinds
    resp = client.post(
        f"/cases/{case['id']}/progress", json={"status": "in_progress", "note": "Đang đối thoại"}, headers=officer
    )
    assert resp.status_code == 200, resp.json
    # Progress stops the steps; the next report is due within the policy's check-in (240 minutes by default).
    assert client.get(f"/cases/{case['id']}/escalation", headers=officer).json["status"] == "following"
    assert run_due(db=db, now=clock.advance(minutes=239)) == 0


def test_notify_acknowledgement_stops_the_escalation(db, clock, open_case, handle, checked_events, client, officer):
    case = open_case()
    run_due(db=db, now=clock())
    handle(
        Envelope.new(
            type="notify.message.acknowledged",
            source="notify",
            data={
                "message_id": "m-1",
                "recipient": "btcd-02",
                "event_id": "e-1",
                "event_type": "escalation.case.escalated",
                "case_id": case["id"],
                "via": "inbox",
                "acknowledged_at": clock.advance(minutes=2).isoformat(),
            },
        )
    )
    assert run_due(db=db, now=clock.advance(minutes=30)) == 0
    detail = client.get(f"/cases/{case['id']}", headers=officer).json
    assert detail["status"] == "acknowledged"
    assert [t["actor"] for t in detail["timeline"] if t["kind"] == "acknowledged"] == ["btcd-02"]
    assert checked_events("escalation.case.acknowledged")[0]["data"]["via"] == "inbox"


def test_closing_stops_the_escalation_and_is_announced(db, clock, open_case, client, officer, checked_events):
    case = open_case()
    bad = client.post(f"/cases/{case['id']}/close", json={"reason": "tired"}, headers=officer)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "reason"
    resp = client.post(
        f"/cases/{case['id']}/close", json={"reason": "withdrawn", "outcome": "Đã rút đơn ngày 26/11"}, headers=officer
    )
    assert resp.status_code == 200 and resp.json["status"] == "closed"
    assert run_due(db=db, now=clock.advance(minutes=1)) == 0
    (closed,) = checked_events("escalation.case.closed")
    assert closed["data"]["reason"] == "withdrawn" and closed["data"]["outcome"] == "Công dân rút đơn"
    assert resp.json["outcome"] == "Đã rút đơn ngày 26/11"
    again = client.post(f"/cases/{case['id']}/close", json={"reason": "other"}, headers=officer)
    assert again.status_code == 409
    bad = client.post(f"/cases/{case['id']}/progress", json={"status": "done"}, headers=officer)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "status"


def test_a_new_worker_resumes_where_a_killed_one_stopped(database_url, app, clock, open_case, checked_events):
    case = open_case()
    first = Database(database_url)
    EscalationTimer(first, clock=clock).tick()
    first.dispose()  # the worker dies with step 1 due in ten minutes
    clock.advance(minutes=25)  # ... and stays down past the due time
    second = EscalationTimer(Database(database_url), clock=clock)
    assert second.tick() == 1
    assert second.tick() == 0  # step 2 waits its time, counted from when step 1 was due
    assert [t for t, _ in targets(checked_events, case["id"])] == ["on_duty_role", "leader_on_call"]
    assert second.tick() == 0
    clock.advance(minutes=5)
    assert second.tick() == 1
    second.db.dispose()


@pytest.mark.parametrize(
    ("local_hour", "public_order", "expected", "first_wait"),
    [(9, False, "mass-office-hours", 10), (21, False, "mass-after-hours", 10), (3, True, "critical-public-order", 5)],
)
def test_the_seeded_policy_follows_severity_public_order_and_time_of_day(
    db, client, officer, clock, local_hour, public_order, expected, first_wait
):
    clock.set(clock().replace(hour=(local_hour - 7) % 24))
    case = client.post(
        "/cases",
        headers=officer,
        json={
            "title": "Đoàn đông người",
            "unit": "31690",
            "field": "land",
            "severity": "high",
            "public_order": public_order,
        },
    ).json
    state = client.get(f"/cases/{case['id']}/escalation", headers=officer).json
    assert state["policy"] == expected
    # case.opened already told the officers on duty: the first step waits.
    assert dt.datetime.fromisoformat(state["next_step_at"]) == clock() + dt.timedelta(minutes=first_wait)
    assert run_due(db=db, now=clock.advance(minutes=first_wait - 1)) == 0
    assert run_due(db=db, now=clock.advance(minutes=1)) == 1


def test_a_repeated_or_over_level_visit_opens_a_case(handle, visit, client, officer, checked_events):
    handle(visit(size=1, repeat_of="v-0"))
    handle(visit(size=2, unit="31693", over_level=True))
    cases = {c["unit"]: c for c in client.get("/cases", headers=officer).json}
    assert cases["31690"]["title"].startswith("Vụ việc tái diễn")
    assert cases["31693"]["complex"] is True and "vượt cấp" in cases["31693"]["title"]
    assert len(checked_events("escalation.case.opened")) == 2


def test_a_write_retried_with_its_idempotency_key_happens_once(client, police):
    body = {
        "unit": "31690",
        "place": "Cổng UBND huyện",
        "crowd_estimate": 2,
        "summary": "Tụ tập",
        "occurred_at": "2026-11-26T02:30:00+00:00",
    }
    headers = {**police, "Idempotency-Key": "inc-1"}
    first = client.post("/incidents", json=body, headers=headers)
    again = client.post("/incidents", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json["id"] == again.json["id"]
    assert len(client.get("/incidents", headers=police).json) == 1


def test_the_openapi_document_lists_every_resource(client, officer):
    paths = client.get("/openapi.json", headers=officer).json["paths"]
    for path in (
        "/cases",
        "/cases/{case_id}/acknowledge",
        "/cases/report",
        "/policies/{name}",
        "/hotspots",
        "/incidents",
        "/alerts/{alert_id}/ack",
        "/province-requests/{request_id}/complete",
        "/cases/{case_id}/dialogues",
    ):
        assert path in paths, path
