"""Covering a sick officer, swaps that survive regeneration, overrides, and the audit trail."""

import datetime as dt

from tiepdan_common.clock import LOCAL


def local(*args):
    return dt.datetime(*args, tzinfo=LOCAL).isoformat()


def on_duty(client, headers, *at, role=None):
    query = {"at": local(*at)} | ({"role": role} if role else {})
    resp = client.get("/on-duty", query_string=query, headers=headers)
    assert resp.status_code == 200, resp.json
    return [o for o in resp.json["officers"] if o["shift_kind"] != "on_call"]  # the desk, not who is on call


def test_a_sick_officer_is_covered_from_the_same_pool(client, board, reader, clock, outbox_events, auditor):
    clock.set(dt.datetime(2024, 6, 3, 6, 0, tzinfo=LOCAL))
    inspectors = [o["code"] for o in on_duty(client, reader, 2024, 6, 3, 8, 0, role="inspector")]
    sick = inspectors[0]
    resp = client.post(
        f"/officers/{sick}/leave",
        json={
            "kind": "sick",
            "starts_at": local(2024, 6, 3),
            "ends_at": local(2024, 6, 6),
            "reason": "Ốm",
        },
        headers=board,
    )
    assert resp.status_code == 201, resp.json
    covered = resp.json["covered"]
    assert covered and all(c["officer"] not in (None, sick) for c in covered)
    assert all(c["officer"].startswith("ttr-") for c in covered if c["duty_role"] == "inspector")
    for day in (3, 4, 5):
        for hour in (8, 14, 20):
            assert sick not in [o["code"] for o in on_duty(client, reader, 2024, 6, day, hour, 0)]
    changed = [e["data"] for e in outbox_events("roster.assignment.changed")]
    assert len(changed) == len(covered)
    assert {e["previous_officer"] for e in changed} == {sick} and {e["change"] for e in changed} == {"override"}
    report = client.get("/coverage", query_string={"days": 7}, headers=reader).json
    assert report["on_leave"] == [] and report["unfilled"] == []
    audit = client.get("/audit", query_string={"entity": "officer", "entity_id": sick}, headers=auditor).json
    assert audit[0]["action"] == "leave.recorded" and audit[0]["actor"] == "btcd-01"


def test_a_swap_is_asked_accepted_approved_and_survives_regeneration(
    client, board, reader, officer_headers, clock, outbox_events, auditor
):
    clock.set(dt.datetime(2024, 6, 1, 9, 0, tzinfo=LOCAL))
    (mine,) = on_duty(client, reader, 2024, 6, 4, 8, 0, role="lead")
    requester = mine["code"]
    shift = client.get(f"/shifts/{mine['shift_id']}", headers=reader).json
    assignment = next(a for a in shift["assignments"] if a["officer"] == requester)
    counterpart = next(c for c in ("btcd-01", "btcd-02", "btcd-03") if c != requester)

    foreign = client.post(
        "/swaps",
        json={"assignment_id": assignment["id"], "counterpart": counterpart},
        headers=officer_headers(counterpart),
    )
    assert foreign.status_code == 403
    asked = client.post(
        "/swaps",
        json={"assignment_id": assignment["id"], "counterpart": counterpart, "reason": "Việc gia đình"},
        headers=officer_headers(requester),
    )
    assert asked.status_code == 201, asked.json
    swap_id = asked.json["id"]
    early = client.post(f"/swaps/{swap_id}/approve", headers=board)
    assert early.status_code == 409  # the counterpart has not accepted yet
    assert client.post(f"/swaps/{swap_id}/accept", headers=officer_headers(requester)).status_code == 403
    accepted = client.post(f"/swaps/{swap_id}/accept", headers=officer_headers(counterpart))
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert client.post(f"/swaps/{swap_id}/approve", headers=officer_headers(counterpart)).status_code == 403
    approved = client.post(f"/swaps/{swap_id}/approve", headers=board)
    assert approved.status_code == 200 and approved.json["status"] == "approved", approved.json

    def lead_at_shift():
        return [o["code"] for o in on_duty(client, reader, 2024, 6, 4, 8, 0, role="lead")]

    assert lead_at_shift() == [counterpart]
    assert client.post("/periods/QH15-KH7/generate", headers=board).status_code == 200
    assert lead_at_shift() == [counterpart]
    regenerated = client.get(f"/shifts/{mine['shift_id']}", headers=reader).json
    assert [a["source"] for a in regenerated["assignments"] if a["duty_role"] == "lead"] == ["swap"]
    (event,) = [e["data"] for e in outbox_events("roster.assignment.changed")]
    assert event["change"] == "swap" and event["officer"] == counterpart and event["previous_officer"] == requester
    actions = [e["action"] for e in client.get("/audit", query_string={"entity": "swap"}, headers=auditor).json]
    assert actions == ["swap.approved", "swap.accepted", "swap.requested"]


def test_override_refuses_someone_on_leave_and_is_audited(client, board, reader, auditor, clock):
    clock.set(dt.datetime(2024, 6, 1, 9, 0, tzinfo=LOCAL))
    (police,) = on_duty(client, reader, 2024, 6, 7, 8, 0, role="police")
    other = "ca-02" if police["code"] == "ca-01" else "ca-01"
    leave = client.post(
        f"/officers/{other}/leave",
        json={"starts_on": "2024-06-07", "ends_on": "2024-06-07", "cover": False},
        headers=board,
    )
    assert leave.status_code == 201 and leave.json["leave"]["ends_at"] == "2024-06-07T17:00:00+00:00"
    half = client.post(f"/officers/{other}/leave", json={"starts_on": "2024-06-07"}, headers=board)
    assert half.status_code == 422 and half.json["errors"][0]["field"] == "starts_on"
    shift = client.get(f"/shifts/{police['shift_id']}", headers=reader).json
    assignment = next(a for a in shift["assignments"] if a["duty_role"] == "police")
    refused = client.put(f"/assignments/{assignment['id']}", json={"officer": other}, headers=board)
    assert refused.status_code == 409 and refused.json["errors"][0]["field"] == "officer"
    # An inspector cannot stand in for the police (issue #20): only the role's pool may take the slot.
    wrong_pool = client.put(f"/assignments/{assignment['id']}", json={"officer": "ttr-03"}, headers=board)
    assert wrong_pool.status_code == 422 and wrong_pool.json["errors"][0]["field"] == "officer"
    assert "police" in wrong_pool.json["errors"][0]["message"]
    assert wrong_pool.headers["Content-Type"] == "application/problem+json"
    assert (
        client.post(
            "/officers",
            json={"code": "ca-03", "full_name": "Lý Văn Tăng", "agency": "CA", "role": "police"},
            headers=board,
        ).status_code
        == 201
    )
    ok = client.put(f"/assignments/{assignment['id']}", json={"officer": "ca-03", "note": "Tăng cường"}, headers=board)
    assert ok.status_code == 200 and ok.json["source"] == "override", ok.json
    audit = client.get(
        "/audit", query_string={"entity": "shift", "entity_id": str(police["shift_id"])}, headers=auditor
    ).json
    assert audit[0]["action"] == "assignment.override" and audit[0]["detail"]["officer"] == "ca-03"
    _person_edits_of_officers(client, board, reader)


def _person_edits_of_officers(client, board, reader):
    resp = client.post(
        "/officers",
        json={
            "code": "btcd-04",
            "full_name": "Lê Thị Mới",
            "agency": "BTCD",
            "role": "board",
            "channels": [{"kind": "phone", "address": "+84299111"}],
        },
        headers=board,
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["channels"] == [{"kind": "phone", "address": "+84299111", "verified": False}]
    patched = client.patch("/officers/btcd-04", json={"title": "Chuyên viên", "active": False}, headers=board)
    assert patched.status_code == 200 and patched.json["active"] is False
    assert client.patch("/officers/nobody", json={"title": "x"}, headers=board).status_code == 404
    bad = client.post(
        "/officers", json={"code": "x y", "full_name": "A", "agency": "BTCD", "role": "chief"}, headers=board
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json["errors"]} >= {"code", "role"}


def test_the_audit_trail_needs_audit_read_as_at_the_gateway(client, reader, auditor):
    assert client.get("/audit", headers=reader).status_code == 403
    assert client.get("/audit", headers=auditor).status_code == 200
