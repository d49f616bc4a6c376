"""Issue #20's roster part: police reachable at every hour, role pools enforced, regeneration that moves little."""

import datetime as dt

from tiepdan_common.clock import LOCAL


def local(*args):
    return dt.datetime(*args, tzinfo=LOCAL).isoformat()


def session_shifts(client, reader):
    rows = client.get(
        "/shifts", query_string={"from": local(2024, 5, 20), "to": local(2024, 6, 30)}, headers=reader
    ).json
    return [s for s in rows if s["period"] == "QH15-KH7"]


def test_the_police_are_reachable_at_every_hour_of_the_session(client, reader):
    police = sorted(
        (dt.datetime.fromisoformat(s["starts_at"]), dt.datetime.fromisoformat(s["ends_at"]))
        for s in session_shifts(client, reader)
        for a in s["assignments"]
        if a["officer"].startswith("ca-")
    )
    reached = dt.datetime(2024, 5, 20, tzinfo=LOCAL)
    for start, end in police:
        assert start <= reached, f"no police officer reachable from {reached.isoformat()}"
        reached = max(reached, end)
    assert reached >= dt.datetime(2024, 6, 30, tzinfo=LOCAL)
    at_night = client.get(
        "/on-duty", query_string={"at": local(2024, 6, 12, 2, 0), "role": "police"}, headers=reader
    ).json
    assert [(o["shift_kind"], o["agency"]) for o in at_night["officers"]] == [("on_call", "CA")]
    everyone = client.get("/on-duty", query_string={"at": local(2024, 6, 12, 2, 0)}, headers=reader).json
    assert {o["duty_role"] for o in everyone["officers"]} == {"standby"}  # the board's list is unchanged
    assert [o["agency"] for o in everyone["police_on_call"]] == ["CA"]


def test_a_night_without_police_is_a_coverage_gap(client, board, reader, clock, outbox_events):
    clock.set(dt.datetime(2024, 6, 10, 6, 0, tzinfo=LOCAL))
    night = client.get("/on-duty", query_string={"at": local(2024, 6, 11, 2, 0)}, headers=reader).json
    (on_call,) = night["police_on_call"]
    shift = client.get(f"/shifts/{on_call['shift_id']}", headers=reader).json
    (assignment,) = [a for a in shift["assignments"] if a["duty_role"] == "police"]
    assert client.delete(f"/assignments/{assignment['id']}", headers=board).status_code == 204
    checked = client.post("/coverage/check", query_string={"days": 2}, headers=board).json
    assert (on_call["shift_id"], "on_call", "police") in {
        (u["shift_id"], u["shift_kind"], u["duty_role"]) for u in checked["unfilled"]
    }
    (gap,) = [e["data"] for e in outbox_events("roster.coverage.gap") if e["data"]["shift_id"] == on_call["shift_id"]]
    assert gap["duty_role"] == "police" and gap["shift_kind"] == "on_call"

    # Even with the requirement dropped, a special period's night without police stays a gap.
    clock.set(dt.datetime(2024, 5, 1, 9, 0, tzinfo=LOCAL))
    assert (
        client.put(
            "/requirements/on_call/police", json={"agency_kinds": ["police"], "count": 0}, headers=board
        ).status_code
        == 200
    )
    assert client.post("/periods/QH15-KH7/generate", headers=board).status_code == 200
    clock.set(dt.datetime(2024, 6, 17, 6, 0, tzinfo=LOCAL))
    report = client.get("/coverage", query_string={"days": 1}, headers=reader).json
    assert {(u["shift_kind"], u["duty_role"]) for u in report["unfilled"]} == {("on_call", "police")}


def test_only_the_role_pool_may_take_a_slot(client, board, reader, officer_headers, clock):
    clock.set(dt.datetime(2024, 6, 1, 9, 0, tzinfo=LOCAL))
    leader = client.get("/on-call", query_string={"at": local(2024, 6, 5, 9, 0)}, headers=reader).json
    shift = client.get(f"/shifts/{leader['leader_on_call']['shift_id']}", headers=reader).json
    leader_slot = next(a for a in shift["assignments"] if a["duty_role"] == "leader_on_call")
    police_slot = next(a for a in shift["assignments"] if a["duty_role"] == "police")
    free_police = "ca-02" if police_slot["officer"] == "ca-01" else "ca-01"

    as_leader = client.put(f"/assignments/{leader_slot['id']}", json={"officer": free_police}, headers=board)
    assert as_leader.status_code == 422, as_leader.json
    assert as_leader.json["errors"][0]["field"] == "officer"
    assert "leadership" in as_leader.json["errors"][0]["message"]
    added = client.post(
        f"/shifts/{shift['id']}/assignments", json={"officer": "tnmt-01", "duty_role": "leader_on_call"}, headers=board
    )
    assert added.status_code == 422 and added.json["errors"][0]["field"] == "officer"

    swap = client.post(
        "/swaps",
        json={"assignment_id": police_slot["id"], "counterpart": "ld-03"},
        headers=officer_headers(police_slot["officer"]),
    )
    assert swap.status_code == 422 and swap.json["errors"][0]["field"] == "counterpart"
    back = client.post(
        "/swaps",
        json={
            "assignment_id": leader_slot["id"],
            "counterpart": police_slot["officer"],
            "return_assignment_id": police_slot["id"],
        },
        headers=board,
    )
    assert back.status_code == 422 and back.json["errors"][0]["field"] == "counterpart"
    ok = client.post(
        f"/shifts/{shift['id']}/assignments",
        json={"officer": "ld-02" if leader_slot["officer"] != "ld-02" else "ld-03", "duty_role": "leader_on_call"},
        headers=board,
    )
    assert ok.status_code == 201, ok.json


def test_regenerating_after_a_leave_moves_only_the_slots_it_touches(client, board, reader, clock):
    clock.set(dt.datetime(2024, 5, 1, 9, 0, tzinfo=LOCAL))
    before = {s["id"]: s for s in session_shifts(client, reader)}
    leave_from, leave_to = dt.datetime(2024, 6, 10, tzinfo=LOCAL), dt.datetime(2024, 6, 13, tzinfo=LOCAL)
    resp = client.post(
        "/officers/ttr-01/leave",
        json={"kind": "leave", "starts_at": leave_from.isoformat(), "ends_at": leave_to.isoformat(), "cover": False},
        headers=board,
    )
    assert resp.status_code == 201, resp.json
    assert client.post("/periods/QH15-KH7/generate", headers=board).status_code == 200
    after = {s["id"]: s for s in session_shifts(client, reader)}
    assert set(after) == set(before)

    def touched(s):
        start, end = dt.datetime.fromisoformat(s["starts_at"]), dt.datetime.fromisoformat(s["ends_at"])
        return start < leave_to and end > leave_from and any(a["officer"] == "ttr-01" for a in s["assignments"])

    moved = set()
    for shift_id, old in before.items():
        was = sorted((a["duty_role"], a["officer"]) for a in old["assignments"])
        now = sorted((a["duty_role"], a["officer"]) for a in after[shift_id]["assignments"])
        if was != now:
            moved.add(shift_id)
            assert touched(old), f"shift {shift_id} ({old['starts_at']}) moved though the leave does not touch it"
            assert {x for x in was if x[1] != "ttr-01"} <= set(now)  # the others on that shift stay
            assert "ttr-01" not in {o for _r, o in now}
    assert moved == {i for i, s in before.items() if touched(s)} != set()


def test_the_police_officer_on_call_can_cover_a_sick_colleagues_desk_shift(client, board, reader, clock):
    clock.set(dt.datetime(2024, 6, 1, 9, 0, tzinfo=LOCAL))
    morning = client.get(
        "/on-duty", query_string={"at": local(2024, 6, 5, 9, 0), "role": "police"}, headers=reader
    ).json["officers"]
    desk = next(o["code"] for o in morning if o["shift_kind"] == "morning")
    on_call = next(o["code"] for o in morning if o["shift_kind"] == "on_call")
    assert desk != on_call  # two police officers: one at the desk, one on call
    resp = client.post(
        f"/officers/{desk}/leave",
        json={
            "kind": "sick",
            "starts_at": local(2024, 6, 5, 7, 0),
            "ends_at": local(2024, 6, 5, 11, 30),
            "cover": True,
        },
        headers=board,
    )
    assert resp.status_code == 201, resp.json
    assert [c["officer"] for c in resp.json["covered"]] == [on_call]
