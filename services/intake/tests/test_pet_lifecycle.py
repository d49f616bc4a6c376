"""A petition's life through the API: matters and repeats, steps and their states, deadlines by the day."""

import dataclasses
import datetime as dt

from tiepdan_common.clock import LOCAL


def _step(client, headers, pid, **body):
    return client.post(f"/petitions/{pid}/steps", json=body, headers=headers)


def _informed_forward(client, board, pid, day="2026-09-01"):
    resp = _step(
        client,
        board,
        pid,
        step="forward",
        taken_on=day,
        to_body="Phòng Tài nguyên và Môi trường",
        letter_number="12/BTCD",
        letter_date=day,
        citizen_informed_on=day,
    )
    assert resp.status_code == 201, resp.json
    return resp.json


def test_a_second_time_complaint_is_a_new_stage_of_the_matter_not_a_repeat(client, board, petition_body):
    first = client.post("/petitions", json=petition_body(subject="Thu hồi đất ấp Phước Hòa"), headers=board).json
    accepted = _step(client, board, first["id"], step="accept", taken_on="2026-09-01", citizen_informed_on="2026-09-01")
    assert accepted.status_code == 201 and accepted.json["deadline"] == "2026-10-01"  # 30 days
    resolved = _step(
        client,
        board,
        first["id"],
        step="resolve",
        taken_on="2026-09-20",
        outcome="rejected",
        resolution="Giữ nguyên quyết định",
    )
    assert resolved.status_code == 201 and resolved.json["status"] == "resolved"
    second = client.post(
        "/petitions",
        headers=board,
        json=petition_body(
            subject="THU HOI DAT  ấp Phước Hòa", received_at="2026-10-05T09:00:00+07:00", complaint_round=2
        ),
    ).json
    assert second["matter_key"] == first["matter_key"]  # diacritics, case and spaces folded
    assert second["repeat_suggested_of"] is None and second["status"] == "received"
    accepted2 = _step(client, board, second["id"], step="accept", taken_on="2026-10-06", complexity="complex_or_remote")
    # Second time, complex: 60 days from 6 October is Saturday 5 December: Monday 7 December.
    assert accepted2.status_code == 201 and accepted2.json["deadline"] == "2026-12-07", accepted2.json
    third = client.post(
        "/petitions",
        headers=board,
        json=petition_body(
            subject="Thu hồi đất ấp Phước Hòa",
            received_at="2026-10-05T09:00:00+07:00",
            complaint_round=2,
            category="denunciation",
        ),
    )
    assert third.status_code == 422 and third.json["errors"][0]["field"] == "complaint_round"


def test_the_same_sender_with_a_new_matter_is_not_a_repeat(client, board, petition_body):
    first = client.post("/petitions", json=petition_body(subject="Thu hồi đất"), headers=board).json
    _informed_forward(client, board, first["id"])
    new_matter = client.post(
        "/petitions",
        headers=board,
        json=petition_body(subject="Cấp giấy chứng nhận quyền sử dụng đất", received_at="2026-10-01T09:00:00+07:00"),
    ).json
    assert new_matter["repeat_suggested_of"] is None and new_matter["matter_key"] != first["matter_key"]
    same = client.post(
        "/petitions", headers=board, json=petition_body(subject="thu hoi dat", received_at="2026-10-01T09:00:00+07:00")
    ).json
    assert same["repeat_suggested_of"] == first["id"]


def test_two_citizens_on_one_matter_are_linked_with_its_visits(client, board, commune, petition_body, visit_body):
    subject = "Đường tỉnh 940 ngập nước"
    one = client.post("/petitions", json=petition_body(subject=subject), headers=board).json
    other = client.post(
        "/petitions",
        headers=board,
        json=petition_body(
            subject=subject,
            received_at="2026-08-28T10:00:00+07:00",
            senders=[{"full_name": "Trần Thị Chín", "id_number": "094999888777", "is_representative": True}],
        ),
    ).json
    assert one["matter_key"] == other["matter_key"] and other["repeat_suggested_of"] is None
    # A visit of 2024 about the same place (code 31684, Thị trấn then Phường Mỹ Xuyên) and subject.
    visit = client.post("/visits", json=visit_body(subject=subject, origin_unit="31684"), headers=board).json
    assert visit["matter_key"] == one["matter_key"]
    _step(client, board, one["id"], step="accept", taken_on="2026-09-01")
    matter = client.get(f"/matters/{one['matter_key']}", headers=board)
    assert matter.status_code == 200, matter.json
    assert [p["id"] for p in matter.json["petitions"]] == [one["id"], other["id"]]
    assert [v["id"] for v in matter.json["visits"]] == [visit["id"]]
    assert [(h["number"], h["step"]) for h in matter.json["history"]] == [
        (one["number"], "received"),
        (other["number"], "received"),
        (one["number"], "accept"),
    ]
    listed = client.get("/petitions", query_string={"matter": one["matter_key"]}, headers=board).json["items"]
    assert {p["id"] for p in listed} == {one["id"], other["id"]}
    assert client.get(f"/matters/{one['matter_key']}", headers=commune("31684")).status_code == 404
    assert client.get("/matters/31690:land:nothing-here", headers=board).status_code == 404


def test_a_repeat_is_suggested_only_within_the_configured_window(app, client, board, petition_body, monkeypatch):
    settings = app.extensions["tiepdan"]["settings"]
    monkeypatch.setitem(app.extensions["tiepdan"], "settings", dataclasses.replace(settings, repeat_window_days=20))
    first = client.post("/petitions", json=petition_body(), headers=board).json
    _informed_forward(client, board, first["id"])  # told on 1 September
    inside = client.post("/petitions", json=petition_body(received_at="2026-09-21T09:00:00+07:00"), headers=board)
    assert inside.json["repeat_suggested_of"] == first["id"]
    outside = client.post("/petitions", json=petition_body(received_at="2026-09-22T09:00:00+07:00"), headers=board)
    assert outside.json["repeat_suggested_of"] is None


def test_a_repeat_suggestion_overridden_keeps_its_reason(client, board, petition_body, outbox_events):
    first = client.post("/petitions", json=petition_body(), headers=board).json
    _informed_forward(client, board, first["id"])
    again = client.post("/petitions", json=petition_body(received_at="2026-10-01T09:00:00+07:00"), headers=board).json
    assert again["repeat_suggested_of"] == first["id"]
    no_reason = client.post(f"/petitions/{again['id']}/repeat", json={"decision": "override"}, headers=board)
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "reason"
    overridden = client.post(
        f"/petitions/{again['id']}/repeat",
        headers=board,
        json={"decision": "override", "reason": "Có tình tiết mới: quyết định bồi thường bổ sung"},
    )
    assert overridden.status_code == 200, overridden.json
    assert overridden.json["repeat_decision"] == "overridden" and overridden.json["status"] == "received"
    assert overridden.json["repeat_reason"].startswith("Có tình tiết mới") and overridden.json["deadline"]
    detail = client.get(f"/petitions/{again['id']}", headers=board).json
    assert [s["step"] for s in detail["steps"]] == ["received", "repeat_overridden"]
    assert detail["steps"][1]["details"]["reason"].startswith("Có tình tiết mới")
    twice = client.post(f"/petitions/{again['id']}/repeat", json={"decision": "confirm"}, headers=board)
    assert twice.status_code == 409
    assert outbox_events("intake.petition.step_recorded")[-1]["data"]["step"] == "repeat_overridden"


def test_each_step_is_allowed_only_from_its_states(client, board, petition_body):
    pid = client.post("/petitions", json=petition_body(received_at="2026-07-01T09:00:00+07:00"), headers=board).json[
        "id"
    ]
    for body in (
        {"step": "resolve", "outcome": "upheld", "resolution": "x"},
        {"step": "resume"},
        {"step": "extend", "reason": "x"},
        {"step": "reforward", "to_body": "A", "letter_number": "1", "letter_date": "2026-07-02"},
    ):
        resp = _step(client, board, pid, **body)
        assert resp.status_code == 409, (body, resp.json)
        assert resp.content_type == "application/problem+json" and resp.json["errors"][0]["field"] == "step"
    assert client.get(f"/petitions/{pid}", headers=board).json["allowed_steps"] == [
        "accept",
        "not_accept",
        "guide",
        "forward",
        "return_to_lower_level",
        "withdraw",
        "withdraw_part",
        "archive",
    ]
    bad_ground = _step(client, board, pid, step="not_accept", ground="dislike")
    assert bad_ground.status_code == 422 and bad_ground.json["errors"][0]["field"] == "ground"
    assert _step(client, board, pid, step="accept", taken_on="2026-07-02").status_code == 201
    assert _step(client, board, pid, step="accept").status_code == 409
    assert _step(client, board, pid, step="extend", reason="x").status_code == 409  # not for a complaint
    assert _step(client, board, pid, step="dialogue_held", held_on="2026-07-10").status_code == 201
    withdrawn = _step(
        client,
        board,
        pid,
        step="withdraw_part",
        reason="Rút yêu cầu bồi thường cây trồng",
        part="Yêu cầu bồi thường cây trồng",
    )
    assert withdrawn.status_code == 201 and withdrawn.json["status"] == "accepted"
    assert (
        _step(
            client, board, pid, step="temporarily_suspend", reason="Chờ kết quả giám định", taken_on="2026-07-15"
        ).json["status"]
        == "temporarily_suspended"
    )
    assert _step(client, board, pid, step="resolve", outcome="upheld", resolution="x").status_code == 409
    assert _step(client, board, pid, step="resume", taken_on="2026-07-20").json["status"] == "accepted"
    done = _step(
        client, board, pid, step="resolve", outcome="partly_upheld", resolution="Đúng một phần", taken_on="2026-07-25"
    )
    assert done.status_code == 201 and done.json["status"] == "resolved"
    assert _step(client, board, pid, step="withdraw").status_code == 409
    archived = _step(client, board, pid, step="archive", reason="Hoàn thành")
    assert archived.status_code == 201 and archived.json["status"] == "archived"
    steps = client.get(f"/petitions/{pid}", headers=board).json["steps"]
    assert [s["step"] for s in steps] == [
        "received",
        "accept",
        "dialogue_held",
        "withdraw_part",
        "temporarily_suspend",
        "resume",
        "resolve",
        "archive",
    ]
    assert all(s["recorded_by"] == "btcd-01" for s in steps) and steps[1]["basis"].startswith("Luật Khiếu nại")
    grounds = client.get("/petitions/grounds", headers=board).json["items"]
    assert {"unsigned", "no_basis_to_verify"} <= {g["code"] for g in grounds}
    assert all(g["source"] for g in grounds)
    catalogue = client.get("/petitions/steps", headers=board).json
    assert "temporarily_suspended" in catalogue["states"]
    assert {s["name"]: s["from_states"] for s in catalogue["items"]}["resume"] == ["temporarily_suspended"]


def test_not_accepted_with_its_legal_ground_forwarded_and_reforwarded(client, board, petition_body, outbox_events):
    refused = client.post("/petitions", json=petition_body(), headers=board).json
    resp = _step(client, board, refused["id"], step="not_accept", ground="unsigned", taken_on="2026-09-01")
    assert resp.status_code == 201 and resp.json["status"] == "not_accepted"
    steps = client.get(f"/petitions/{refused['id']}", headers=board).json["steps"]
    assert steps[-1]["details"]["ground_source"] == "Luật Khiếu nại 02/2011/QH13, Điều 11 khoản 5"
    sent = client.post(
        "/petitions", json=petition_body(category="denunciation", field="officials_conduct"), headers=board
    ).json
    assert sent["forward_deadline"] == "2026-09-08"  # 5 working days (Art. 24), past 1 and 2 September
    late = _step(
        client,
        board,
        sent["id"],
        step="forward",
        taken_on="2026-09-09",
        to_body="Thanh tra tỉnh",
        letter_number="88/BTCD",
        letter_date="2026-09-09",
    )
    assert late.status_code == 201 and late.json["status"] == "forwarded"
    again = _step(
        client,
        board,
        sent["id"],
        step="reforward",
        taken_on="2026-09-10",
        to_body="Công an tỉnh",
        letter_number="90/BTCD",
        letter_date="2026-09-10",
    )
    assert again.status_code == 201 and again.json["forwarded_to"] == "Công an tỉnh"
    events = [e["data"] for e in outbox_events("intake.petition.step_recorded")]
    assert [(e["step"], e["on_time"]) for e in events] == [
        ("not_accept", True),
        ("forward", False),
        ("reforward", True),
    ]
    assert "88/BTCD" not in str(events)  # the letter stays in the record, not in events


def test_a_temporary_suspension_across_tet_stops_and_restarts_the_clock(client, board, petition_body):
    pid = client.post(
        "/petitions",
        headers=board,
        json=petition_body(category="denunciation", field="officials_conduct", received_at="2026-01-05T09:00:00+07:00"),
    ).json["id"]
    accepted = _step(client, board, pid, step="accept", taken_on="2026-01-12", citizen_informed_on="2026-01-12")
    assert accepted.json["deadline"] == "2026-02-11"  # 30 days
    paused = _step(client, board, pid, step="temporarily_suspend", taken_on="2026-02-02", reason="Chờ giám định")
    assert paused.json["deadline"] is None and paused.json["paused_remaining"] == 9
    listed = client.get("/petitions", query_string={"overdue": "true"}, headers=board).json["items"]
    assert listed == []  # a stopped clock is never overdue
    resumed = _step(client, board, pid, step="resume", taken_on="2026-02-09")
    # 9 days left from 9 February is 18 February, in Tết (16-20 February): the next working day, the 23rd.
    assert resumed.json["deadline"] == "2026-02-23" and resumed.json["status"] == "accepted"


def test_the_law_of_1_july_2026_applies_to_what_is_received_from_that_day(client, board, petition_body):
    june = petition_body(received_at="2026-06-30T09:00:00+07:00")
    july = petition_body(received_at="2026-07-01T09:00:00+07:00")
    online = client.post("/petitions", json={**june, "channel": "online"}, headers=board)
    assert online.status_code == 422 and online.json["errors"][0]["field"] == "channel"
    assert client.post("/petitions", json={**july, "channel": "online"}, headers=board).status_code == 201
    old = client.post("/petitions", json=june, headers=board).json["id"]
    new = client.post("/petitions", json=july, headers=board).json["id"]
    for pid in (old, new):
        assert _step(client, board, pid, step="accept", taken_on="2026-07-02").status_code == 201
    refused = _step(client, board, old, step="temporarily_suspend", reason="Chờ kết quả")
    assert refused.status_code == 409 and "2026-07-01" in refused.json["errors"][0]["message"]
    assert _step(client, board, old, step="withdraw_part", reason="x").status_code == 409
    assert _step(client, board, new, step="withdraw_part", reason="x").status_code == 201
    for pid in (old, new):
        skipped = _step(client, board, pid, step="dialogue_skipped", held_on="2026-07-10", valid_reason=False)
        assert skipped.status_code == 201
    # From 1 July 2026 resolution goes on; before, the dialogue must still be held.
    assert _step(client, board, new, step="resolve", outcome="rejected", resolution="x").status_code == 201
    blocked = _step(client, board, old, step="resolve", outcome="rejected", resolution="x")
    assert blocked.status_code == 409
    assert _step(client, board, old, step="dialogue_held", held_on="2026-07-20").status_code == 201
    assert _step(client, board, old, step="resolve", outcome="rejected", resolution="x").status_code == 201


def test_a_date_beyond_the_calendar_is_an_explicit_error(client, board, petition_body):
    resp = client.post("/petitions", json=petition_body(received_at="2023-05-10T09:00:00+07:00"), headers=board)
    assert resp.status_code == 422 and resp.json["errors"][0]["field"] == "received_at", resp.json
    assert resp.json["code"] == "outside_calendar" and "2023-05-10" in resp.json["errors"][0]["message"]


def test_a_commune_sees_and_is_told_of_a_matter_returned_to_it(client, board, commune, petition_body, outbox_events):
    pid = client.post("/petitions", json=petition_body(), headers=board).json["id"]
    # Received by the city in 2026; Phường Mỹ Xuyên (31684) is a commune-level unit under it.
    assert client.get("/petitions", headers=commune("31684")).json["items"] == []
    outside = _step(client, board, pid, step="return_to_lower_level", to_unit="94")
    assert outside.status_code == 422 and outside.json["errors"][0]["field"] == "to_unit"
    returned = _step(client, board, pid, step="return_to_lower_level", to_unit="31684", taken_on="2026-09-01")
    assert returned.status_code == 201 and returned.json["status"] == "returned_to_lower_level"
    assert returned.json["lower_unit"] == "31684"
    mine = client.get("/petitions", headers=commune("31684")).json["items"]
    assert [p["id"] for p in mine] == [pid]
    assert client.get(f"/petitions/{pid}", headers=commune("31684")).status_code == 200
    assert client.get("/petitions", headers=commune("31717")).json["items"] == []
    (event,) = outbox_events("intake.petition.step_recorded")
    assert event["data"]["to_unit"] == "31684" and event["data"]["step"] == "return_to_lower_level"
    # The older decision endpoint names the commune the same way.
    other = client.post("/petitions", json=petition_body(field="finance"), headers=board).json["id"]
    legacy = client.post(
        f"/petitions/{other}/decisions",
        headers=board,
        json={"decision": "request_lower_level", "to_unit": "31684", "decided_at": "2026-09-01T09:00:00+07:00"},
    )
    assert legacy.status_code == 201 and legacy.json["lower_unit"] == "31684", legacy.json
    assert len(client.get("/petitions", headers=commune("31684")).json["items"]) == 2


def test_a_petition_is_corrected_or_voided_with_its_history(client, board, petition_body, visit_body):
    visit = client.post("/visits", json=visit_body(), headers=board).json
    petition = client.post("/petitions", json=petition_body(), headers=board).json
    assert petition["number"] == "DON-92/2026/000001" and not visit["serial"].startswith("DON-")
    assert client.get("/petitions", query_string={"q": visit["serial"]}, headers=board).json["items"] == []
    pid = petition["id"]
    fixed = client.patch(
        f"/petitions/{pid}",
        headers=board,
        json={"reason": "Ghi nhầm nội dung", "content": "Khiếu nại quyết định bồi thường", "subject": "Bồi thường"},
    )
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["version"] == 2 and fixed.json["matter_key"] == "31684:land:boi-thuong"
    nothing = client.patch(f"/petitions/{pid}", headers=board, json={"reason": "x", "subject": "Bồi thường"})
    assert nothing.status_code == 422
    no_reason = client.patch(f"/petitions/{pid}", headers=board, json={"content": "y"})
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "reason"
    voided = client.post(f"/petitions/{pid}/void", json={"reason": "Nhập trùng"}, headers=board)
    assert voided.status_code == 200 and voided.json["status"] == "voided" and voided.json["deadline"] is None
    assert client.post(f"/petitions/{pid}/void", json={"reason": "x"}, headers=board).status_code == 409
    detail = client.get(f"/petitions/{pid}", headers=board).json
    assert [(r["kind"], r["version"]) for r in detail["revisions"]] == [("corrected", 1), ("voided", 2)]
    assert detail["revisions"][0]["before"]["content"] == "Khiếu nại quyết định thu hồi đất của UBND xã Đại Tâm"
    assert [s["step"] for s in detail["steps"]] == ["received", "corrected", "voided"]


def test_the_due_list_shows_overdue_and_due_soon_with_days_left(client, board, commune, petition_body, clock):
    clock.set(dt.datetime(2026, 9, 14, 12, tzinfo=LOCAL))  # the app's today: 14 September 2026
    late = client.post("/petitions", json=petition_body(received_at="2026-08-20T09:00:00+07:00"), headers=board).json
    soon = client.post("/petitions", json=petition_body(field="finance"), headers=board).json
    client.post(
        "/petitions", json=petition_body(field="environment", received_at="2026-09-14T09:00:00+07:00"), headers=board
    )
    gone = client.post("/petitions", json=petition_body(field="labour"), headers=board).json
    client.post(f"/petitions/{gone['id']}/void", json={"reason": "Nhập nhầm"}, headers=board)
    items = client.get("/petitions/due", query_string={"within": 3}, headers=board).json["items"]
    # Received 20 August: 10 working days end on 7 September; received 28 August: on 15 September.
    assert [(i["number"], i["stage"], i["days_left"], i["overdue"]) for i in items] == [
        (late["number"], "acceptance", -7, True),
        (soon["number"], "acceptance", 1, False),
    ]
    # Accepted without telling the citizen: the resolution runs, and so does the Art. 28(1) answer.
    client.post(f"/petitions/{soon['id']}/steps", json={"step": "accept", "taken_on": "2026-09-01"}, headers=board)
    items = client.get("/petitions/due", query_string={"within": 3}, headers=board).json["items"]
    assert [(i["number"], i["stage"], i["days_left"]) for i in items] == [
        (late["number"], "acceptance", -7),
        (soon["number"], "inform_citizen", 1),
    ]
    assert client.get("/petitions/due", query_string={"within": -1}, headers=board).status_code == 422
    assert client.get("/petitions/due", headers=commune("31684")).json["items"] == []


def test_a_forwarded_petition_keeps_the_forwarding_letter(client, board, petition_body):
    body = petition_body(
        channel="forwarded",
        forwarded_by="Ban Tiếp công dân tỉnh Sóc Trăng",
        forwarded_letter_number="245/BTCD-TCD",
        forwarded_letter_date="2026-08-25",
    )
    resp = client.post("/petitions", json=body, headers=board)
    assert resp.status_code == 201, resp.json
    assert (resp.json["forwarded_letter_number"], resp.json["forwarded_letter_date"]) == ("245/BTCD-TCD", "2026-08-25")
    late = client.post("/petitions", json={**body, "forwarded_letter_date": "2026-08-29"}, headers=board)
    assert late.status_code == 422 and late.json["errors"][0]["field"] == "forwarded_letter_date"
    posted = client.post("/petitions", json=petition_body(forwarded_letter_number="1/X"), headers=board)
    assert posted.status_code == 422 and posted.json["errors"][0]["field"] == "forwarded_letter_number"
