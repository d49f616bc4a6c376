"""On call at shift boundaries, who is next, and the coverage report with its gap events."""

import datetime as dt

from tiepdan_common.clock import LOCAL


def local(*args):
    return dt.datetime(*args, tzinfo=LOCAL).isoformat()


def leader(client, headers, *at):
    resp = client.get("/on-call", query_string={"at": local(*at)}, headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json["leader_on_call"]


def test_on_call_hands_over_at_local_midnight(client, reader):
    last_second = leader(client, reader, 2024, 5, 21, 23, 59, 59)
    midnight = leader(client, reader, 2024, 5, 22, 0, 0, 0)
    assert last_second["role"] == midnight["role"] == "leader"
    assert last_second["code"] != midnight["code"]  # three leaders rotate day by day
    assert dt.datetime.fromisoformat(last_second["shift_ends_at"]) == dt.datetime(2024, 5, 22, tzinfo=LOCAL)
    assert leader(client, reader, 2024, 5, 22, 12, 0)["code"] == midnight["code"]
    same = client.get("/on-duty", query_string={"at": local(2024, 5, 22, 0, 0)}, headers=reader).json
    assert same["leader_on_call"]["code"] == midnight["code"]
    assert client.get("/on-call", query_string={"at": "tomorrow"}, headers=reader).status_code == 422
    _office_hours_boundaries_and_who_is_next(client, reader)


def _office_hours_boundaries_and_who_is_next(client, reader):
    at_start = client.get("/on-duty", query_string={"at": local(2024, 5, 22, 13, 30)}, headers=reader).json
    assert {o["shift_kind"] for o in at_start["officers"]} == {"afternoon"}
    just_before = client.get("/on-duty", query_string={"at": local(2024, 5, 22, 13, 29, 59)}, headers=reader).json
    assert {o["shift_kind"] for o in just_before["officers"]} == {"standby"}
    nxt = client.get(
        "/on-duty/next", query_string={"at": local(2024, 5, 22, 11, 0), "role": "lead"}, headers=reader
    ).json
    assert dt.datetime.fromisoformat(nxt["starts_at"]) == dt.datetime(2024, 5, 22, 13, 30, tzinfo=LOCAL)
    assert [o["duty_role"] for o in nxt["officers"]] == ["lead"]
    # Friday evening: the next lead is on Monday morning.
    monday = client.get(
        "/on-duty/next", query_string={"at": local(2024, 5, 24, 18, 0), "role": "lead"}, headers=reader
    ).json
    assert dt.datetime.fromisoformat(monday["starts_at"]) == dt.datetime(2024, 5, 27, 7, 0, tzinfo=LOCAL)
    next_leader = client.get(
        "/on-duty/next", query_string={"at": local(2024, 5, 22, 10, 0), "role": "leader_on_call"}, headers=reader
    ).json
    assert next_leader["officers"][0]["code"] == leader(client, reader, 2024, 5, 23, 1, 0)["code"]


def test_an_officer_with_no_verified_channel_is_a_gap_announced_once(client, board, reader, clock, outbox_events):
    clock.set(dt.datetime(2024, 6, 10, 6, 0, tzinfo=LOCAL))
    (police,) = [
        o
        for o in client.get(
            "/on-duty", query_string={"at": local(2024, 6, 11, 8, 0), "role": "police"}, headers=reader
        ).json["officers"]
        if o["shift_kind"] == "morning"
    ]
    resp = client.put(
        f"/officers/{police['code']}/channels",
        json={"channels": [{"kind": "phone", "address": "+84299000099", "verified": False}]},
        headers=board,
    )
    assert resp.status_code == 200, resp.json
    report = client.get("/coverage", query_string={"days": 3}, headers=reader).json
    assert report["no_verified_channel"] == [{"officer": police["code"], "full_name": police["full_name"]}]
    assert police["shift_id"] in {r["shift_id"] for r in report["unreachable_assignments"]}
    assert report["unfilled"] == [] and report["double_bookings"] == []
    assert [e["data"] for e in outbox_events("roster.coverage.gap")] == []  # reading the report announces nothing
    first = client.post("/coverage/check", query_string={"days": 3}, headers=board)
    assert first.status_code == 200, first.json
    announced = [e["data"] for e in outbox_events("roster.coverage.gap")]
    assert first.json["announced"] == len(announced) == len(report["unreachable_assignments"])
    assert {g["reason"] for g in announced} == {
        f"{police['full_name']} ({police['code']}) chưa có kênh liên lạc đã xác thực"
    }
    assert {(g["reason"], g["officer"]) for g in first.json["gaps"]} == {("no_verified_channel", police["code"])}
    second = client.post("/coverage/check", query_string={"days": 3}, headers=board).json
    assert second["announced"] == 0 and len(outbox_events("roster.coverage.gap")) == len(announced)


def test_unfilled_and_double_booked_shifts_are_reported(client, board, reader, clock):
    clock.set(dt.datetime(2024, 6, 17, 6, 0, tzinfo=LOCAL))
    (lead,) = client.get(
        "/on-duty", query_string={"at": local(2024, 6, 17, 8, 0), "role": "lead"}, headers=reader
    ).json["officers"]
    shift = client.get(f"/shifts/{lead['shift_id']}", headers=reader).json
    police = next(a for a in shift["assignments"] if a["duty_role"] == "police")
    assert client.delete(f"/assignments/{police['id']}", headers=board).status_code == 204
    report = client.get("/coverage", query_string={"days": 1}, headers=reader).json
    assert [(u["shift_id"], u["duty_role"], u["missing"]) for u in report["unfilled"]] == [
        (lead["shift_id"], "police", 1)
    ]
    taken = client.post(
        f"/shifts/{lead['shift_id']}/assignments", json={"officer": lead["code"], "duty_role": "lead"}, headers=board
    )
    assert taken.status_code == 409  # already on that shift
    board_as_police = client.post(
        f"/shifts/{lead['shift_id']}/assignments", json={"officer": "btcd-03", "duty_role": "police"}, headers=board
    )
    assert board_as_police.status_code == 422 and board_as_police.json["errors"][0]["field"] == "officer"
    leader_as_police = client.post(
        f"/shifts/{lead['shift_id']}/assignments", json={"officer": "ld-02", "duty_role": "police"}, headers=board
    )
    assert leader_as_police.status_code == 422


def test_the_api_document_and_health_checks_need_no_calendar(tmp_path, reference_dir):
    """They answer before the database is migrated: only roster's own routes read the calendar copy."""
    from roster import create_app
    from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers

    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app({"database_url": empty, "identity_keys": (TEST_IDENTITY_KEY,), "reference_dir": reference_dir})
    client = app.test_client()
    assert client.get("/livez").status_code == 200
    doc = client.get("/openapi.json", headers=identity_headers(permissions=("roster:read",)))
    assert doc.status_code == 200 and "/on-duty" in doc.json["paths"]
    app.extensions["tiepdan"]["db"].dispose()
