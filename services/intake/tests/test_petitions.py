"""Petitions through the intake API: registration, splitting, repeats, decisions and deadlines."""

from intake.petition import overdue


def test_a_petition_gets_a_number_and_a_deadline_across_a_holiday(client, board, petition_body, outbox_events):
    resp = client.post("/petitions", json=petition_body(), headers=board)
    assert resp.status_code == 201, resp.json
    petition = resp.json
    assert petition["number"] == "DON-92/2026/000001"  # never a visit serial (92/2026/000001)
    assert petition["status"] == "received" and petition["stage"] == "acceptance"
    # Received Friday 28 August 2026; 1 and 2 September are holidays: 10 working days end on 15 September.
    assert petition["deadline"] == "2026-09-15" and petition["inform_deadline"] == "2026-09-15"
    assert petition["senders"][0]["full_name"] == "L*** V*** B***"
    assert petition["senders"][0]["identity_masked"] is True
    denunciation = client.post(
        "/petitions",
        json=petition_body(category="denunciation", senders=[{"full_name": "Phạm Thị Tám", "is_representative": True}]),
        headers=board,
    ).json
    assert denunciation["stage"] == "initial_handling" and denunciation["deadline"] == "2026-09-10"
    assert denunciation["senders"][0]["full_name"] == "***"
    (event, _) = outbox_events("intake.petition.received")
    assert event["data"]["petition_id"] == petition["id"] and event["data"]["channel"] == "post"
    assert "Bảy" not in str(outbox_events()) and "094123456789" not in str(outbox_events())


def test_a_mixed_petition_is_split_into_linked_petitions(client, board, petition_body, outbox_events):
    body = petition_body(
        category=None,
        content=None,
        parts=[
            {"category": "complaint", "content": "Khiếu nại quyết định thu hồi đất"},
            {"category": "denunciation", "field": "officials_conduct", "content": "Tố cáo cán bộ địa chính nhận tiền"},
            {"category": "recommendation", "content": "Kiến nghị làm lại đường ấp"},
        ],
    )
    body.pop("category"), body.pop("content")
    resp = client.post("/petitions", json=body, headers=board)
    assert resp.status_code == 201, resp.json
    parts = resp.json["parts"]
    assert [p["category"] for p in parts] == ["complaint", "denunciation", "recommendation"]
    assert parts[1]["field"] == "officials_conduct" and parts[2]["field"] == "land"
    # One part is a denunciation: every part hides the sender entirely and links to no other part, except
    # the denunciation itself for its handler (the registering officer).
    assert all(p["confidential"] and p["split_group"] is None for p in (parts[0], parts[2]))
    linked = client.get(f"/petitions/{parts[1]['id']}", headers=board).json["linked"]
    assert sorted((p["id"], p["relation"]) for p in linked) == sorted(
        [(parts[0]["id"], "split_part"), (parts[2]["id"], "split_part")]
    )
    assert client.get(f"/petitions/{parts[0]['id']}", headers=board).json["linked"] == []
    events = outbox_events("intake.petition.received")
    assert [e["data"]["split_from"] for e in events] == [None, None, None]
    same = client.post("/petitions", json={**body, "parts": [body["parts"][0], body["parts"][0]]}, headers=board)
    assert same.status_code == 422 and same.json["errors"][0]["field"] == "parts[1].category"


def test_a_repeat_is_suggested_confirmed_by_the_officer_and_not_opened_again(client, board, commune, petition_body):
    first = client.post("/petitions", json=petition_body(), headers=board).json
    decided = client.post(
        f"/petitions/{first['id']}/decisions",
        headers=board,
        json={
            "decision": "forward",
            "forwarded_to": "Phòng Tài nguyên và Môi trường",
            "letter_number": "123/BTCD",
            "letter_date": "2026-09-01",
            "decided_at": "2026-09-01T10:00:00+07:00",
            "citizen_informed_on": "2026-09-02",
        },
    )
    assert decided.status_code == 201, decided.json
    # Same sender (identity number written with spaces), same matter, a month after being told: a suggestion.
    again = petition_body(
        received_at="2026-10-01T09:00:00+07:00",
        senders=[{"full_name": "Lê Văn Bảy", "id_number": "094 123 456 789", "is_representative": True}],
    )
    again["senders"][0]["id_number"] = "094123456789"
    resp = client.post("/petitions", json=again, headers=board).json
    assert resp["repeat_suggested_of"] == first["id"] and resp["repeat_decision"] == "suggested"
    assert resp["status"] == "received" and resp["deadline"] is not None and resp["repeat_of"] is None
    assert resp["earlier"]["number"] == first["number"] and resp["earlier"]["decision"] == "forward"
    assert resp["earlier"]["decisions"][0]["forwarded_to"] == "Phòng Tài nguyên và Môi trường"
    confirmed = client.post(f"/petitions/{resp['id']}/repeat", json={"decision": "confirm"}, headers=board).json
    assert confirmed["status"] == "repeat" and confirmed["repeat_of"] == first["id"] and confirmed["deadline"] is None
    assert client.get(f"/petitions/{first['id']}", headers=board).json["repeat_count"] == 1
    # Another field is another matter; another commune's desk does not see the first record.
    other = client.post("/petitions", json=petition_body(field="environment"), headers=board).json
    assert other["repeat_suggested_of"] is None
    at_commune = petition_body()
    at_commune.pop("receiving_unit")  # the commune's own desk
    mine = client.post("/petitions", json=at_commune, headers=commune("31684")).json
    assert mine["repeat_suggested_of"] is None and mine["status"] == "received"


def test_anonymous_denunciations_are_filed_or_used_for_an_inspection(client, board, petition_body, outbox_events):
    plain = client.post(
        "/petitions", json=petition_body(category="denunciation", anonymous=True, senders=[]), headers=board
    ).json
    assert plain["anonymous"] is True and plain["handled_as_denunciation"] is False
    assert plain["status"] == "filed" and plain["deadline"] is None and plain["senders"] == []
    verifiable = client.post(
        "/petitions",
        headers=board,
        json=petition_body(
            category="denunciation",
            anonymous=True,
            senders=[],
            verifiable=True,
            violator="Cán bộ địa chính xã Đại Tâm",
            evidence="Biên nhận tiền ngày 03/8/2026, ảnh chụp kèm theo",
        ),
    )
    assert verifiable.status_code == 201, verifiable.json
    # Never the denunciation procedure (Law on Denunciation Art. 25): no 7 working days, no acceptance.
    assert verifiable.json["handled_as_denunciation"] is False and verifiable.json["status"] == "inspection"
    assert verifiable.json["stage"] is None and verifiable.json["deadline"] is None
    accept = client.post(f"/petitions/{verifiable.json['id']}/steps", json={"step": "accept"}, headers=board)
    assert accept.status_code == 409 and accept.json["errors"][0]["field"] == "step"
    steps = [e["data"]["step"] for e in outbox_events("intake.petition.step_recorded")]
    assert steps == ["filed", "inspection"]
    missing = client.post(
        "/petitions",
        headers=board,
        json=petition_body(category="denunciation", anonymous=True, senders=[], verifiable=True, violator="Ông A"),
    )
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "evidence"


def test_decisions_compute_deadlines_and_are_checked(client, board, petition_body, outbox_events):
    pid = client.post("/petitions", json=petition_body(received_at="2026-08-01T09:00:00+07:00"), headers=board).json[
        "id"
    ]
    for body, field in (
        ({"decision": "archive"}, "reason"),
        ({"decision": "forward"}, "forwarded_to"),
        ({"decision": "forward", "forwarded_to": "Tòa án"}, "letter_number"),
        ({"decision": "accept", "decided_at": "2026-07-31T09:00:00+07:00"}, "decided_at"),
        ({"decision": "accept", "decided_at": "2999-01-01T09:00:00+07:00"}, "decided_at"),
        ({"decision": "pray"}, "decision"),
    ):
        resp = client.post(f"/petitions/{pid}/decisions", json=body, headers=board)
        assert resp.status_code == 422 and resp.json["errors"][0]["field"] == field, (body, resp.json)
    accepted = client.post(
        f"/petitions/{pid}/decisions",
        headers=board,
        json={"decision": "accept", "decided_at": "2026-08-03T09:00:00+07:00", "citizen_informed_on": "2026-08-04"},
    )
    # 30 days after 3 August is Wednesday 2 September, a holiday: the deadline is Thursday 3 September.
    assert accepted.status_code == 201 and accepted.json["deadline"] == "2026-09-03", accepted.json
    assert accepted.json["status"] == "accepted" and accepted.json["stage"] == "resolution"
    again = client.post(f"/petitions/{pid}/decisions", json={"decision": "archive", "reason": "x"}, headers=board)
    assert again.status_code == 409 and again.json["errors"][0]["field"] == "step"
    assert again.content_type == "application/problem+json"
    (event,) = outbox_events("intake.petition.decided")
    assert event["data"] == {
        "petition_id": pid,
        "number": accepted.json["number"],
        "decision": "accept",
        "forwarded_to": None,
        "deadline": "2026-09-03",
        "decided_at": accepted.json["decided_at"],
        "citizen_informed_on": "2026-08-04",
    }
    denunciation = client.post(
        "/petitions",
        headers=board,
        json=petition_body(category="denunciation", received_at="2026-08-01T09:00:00+07:00"),
    ).json
    # A denunciation's longer period comes from extension steps, never a complexity chosen at acceptance.
    complex_d = client.post(
        f"/petitions/{denunciation['id']}/decisions",
        headers=board,
        json={"decision": "accept", "decided_at": "2026-08-03T09:00:00+07:00", "complexity": "complex_or_remote"},
    )
    assert complex_d.status_code == 422 and complex_d.json["errors"][0]["field"] == "complexity"
    accepted_d = client.post(
        f"/petitions/{denunciation['id']}/decisions",
        headers=board,
        json={"decision": "accept", "decided_at": "2026-08-03T09:00:00+07:00"},
    )
    assert accepted_d.status_code == 201 and accepted_d.json["deadline"] == "2026-09-03", accepted_d.json
    extended = client.post(
        f"/petitions/{denunciation['id']}/steps",
        headers=board,
        json={"step": "extend", "taken_on": "2026-09-01", "reason": "Vụ việc phức tạp"},
    )
    # Law 25/2018 Art. 30: 30 more days, to Saturday 3 October, a day off: Monday 5 October.
    assert extended.status_code == 201 and extended.json["deadline"] == "2026-10-05", extended.json
    no_outcome = client.post(
        f"/petitions/{pid}/resolution",
        headers=board,
        json={"resolved_on": "2026-09-01", "resolution": "Giữ nguyên quyết định thu hồi"},
    )
    assert no_outcome.status_code == 422 and no_outcome.json["errors"][0]["field"] == "outcome"
    resolved = client.post(
        f"/petitions/{pid}/resolution",
        headers=board,
        json={"resolved_on": "2026-09-01", "outcome": "rejected", "resolution": "Giữ nguyên quyết định thu hồi"},
    )
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved" and resolved.json["stage"] is None


def test_overdue_petitions_are_reported_once_per_stage(app, client, board, petition_body, outbox_events, clock):
    import datetime as dt

    from tiepdan_common.clock import LOCAL

    db = app.extensions["tiepdan"]["db"]
    late = client.post("/petitions", json=petition_body(), headers=board).json
    on_time = client.post("/petitions", json=petition_body(field="finance"), headers=board).json
    client.post(
        f"/petitions/{on_time['id']}/decisions",
        headers=board,
        json={
            "decision": "guide",
            "forwarded_to": "Tòa án nhân dân huyện",
            "decided_at": "2026-09-01T09:00:00+07:00",
            "citizen_informed_on": "2026-09-02",
        },
    )
    # The worker's day is its clock's in Viet Nam: 23:30 on the deadline day is not late, 00:30 the next day is.
    clock.set(dt.datetime(2026, 9, 15, 23, 30, tzinfo=LOCAL))
    assert overdue.run_once(db, clock=clock) == 0
    clock.advance(hours=1)
    assert overdue.run_once(db, clock=clock) == 1
    assert overdue.run_once(db, day=dt.date(2026, 9, 17)) == 0  # reported once
    (event,) = outbox_events("intake.petition.overdue")
    assert event["data"]["petition_id"] == late["id"] and event["data"]["stage"] == "acceptance"
    assert event["data"]["days_overdue"] == 1 and event["data"]["deadline"] == "2026-09-15"
    # Accepted later, the resolution stage can be overdue too: a second, separate notice.
    client.post(
        f"/petitions/{late['id']}/decisions",
        headers=board,
        json={"decision": "accept", "decided_at": "2026-09-16T09:00:00+07:00", "citizen_informed_on": "2026-09-16"},
    )
    clock.set(dt.datetime(2026, 12, 1, 9, tzinfo=LOCAL))  # the worker's day and the list's "today" alike
    assert overdue.run_once(db, clock=clock) == 1
    stages = [e["data"]["stage"] for e in outbox_events("intake.petition.overdue")]
    assert stages == ["acceptance", "resolution"]
    listed = client.get("/petitions", query_string={"overdue": "true"}, headers=board).json["items"]
    assert [p["id"] for p in listed] == [late["id"]]


def test_a_petition_from_a_visit_names_a_visit_the_caller_may_see(client, commune, visit_body, petition_body):
    visit = client.post("/visits", json=visit_body(), headers=commune("31690")).json
    ok = client.post(
        "/petitions",
        json=petition_body(channel="visit", visit_id=visit["id"], received_at="2024-06-03T10:00:00+07:00"),
        headers=commune("31690"),
    )
    assert ok.status_code == 201 and ok.json["visit_id"] == visit["id"]
    hidden = client.post(
        "/petitions",
        json=petition_body(channel="visit", visit_id=visit["id"], received_at="2024-06-03T10:00:00+07:00"),
        headers=commune("31684"),
    )
    assert hidden.status_code == 422 and hidden.json["errors"][0]["field"] == "visit_id"
    assert client.get(f"/petitions/{ok.json['id']}", headers=commune("31684")).status_code == 404
    assert client.get(f"/petitions/{ok.json['id']}", headers=commune("31690")).status_code == 200
    assert client.get("/petitions", headers=commune("31684")).json["items"] == []
    assert [p["id"] for p in client.get("/petitions", headers=commune("31690")).json["items"]] == [ok.json["id"]]


def test_two_workers_never_report_the_same_petition(app, client, board, petition_body, outbox_events):
    import datetime as dt

    db = app.extensions["tiepdan"]["db"]
    client.post("/petitions", json=petition_body(), headers=board)
    day = dt.date(2026, 9, 16)
    first, second = db.sessionmaker(), db.sessionmaker()
    try:
        assert overdue.scan(db_session=first, day=day) == 1
        if db.is_postgresql:
            # The first worker holds the row (not yet committed): the second skips it.
            assert overdue.scan(db_session=second, day=day) == 0
            second.rollback()
        first.commit()
        assert overdue.scan(db_session=second, day=day) == 0
        second.commit()
    finally:
        first.close()
        second.close()
    assert len(outbox_events("intake.petition.overdue")) == 1


def test_the_desk_can_check_for_a_repeat_before_registering(client, board, petition_body):
    body = petition_body()
    check = {"field": "land", "origin_unit": body["origin_unit"], "senders": body["senders"]}
    assert client.post("/petitions/repeat-check", json=check, headers=board).json == {"earlier": None}
    first = client.post("/petitions", json=body, headers=board).json
    # Not yet a repeat: the sender has not been told of a decision.
    assert client.post("/petitions/repeat-check", json=check, headers=board).json == {"earlier": None}
    client.post(f"/petitions/{first['id']}/citizen-informed", json={"informed_on": "2026-09-01"}, headers=board)
    found = client.post("/petitions/repeat-check", json=check, headers=board).json["earlier"]
    assert found["id"] == first["id"] and found["status"] == "received" and found["deadline"] == "2026-09-15"
    other = client.post("/petitions/repeat-check", json={**check, "subject": "Đường tỉnh 940"}, headers=board).json
    assert other["earlier"] is None  # another subject is another matter
    bad = client.post("/petitions/repeat-check", json={**check, "origin_unit": "x"}, headers=board)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "origin_unit"


def test_a_retried_registration_or_decision_returns_the_first_result(client, board, petition_body, outbox_events):
    headers = {**board, "Idempotency-Key": "desk-2-petition-7"}
    first = client.post("/petitions", json=petition_body(), headers=headers)
    again = client.post("/petitions", json=petition_body(), headers=headers)
    assert first.status_code == again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(outbox_events("intake.petition.received")) == 1
    assert len(client.get("/petitions", headers=board).json["items"]) == 1
    decision = {"decision": "archive", "reason": "Đơn không ký tên", "decided_at": "2026-08-31T09:00:00+07:00"}
    key = {**board, "Idempotency-Key": "desk-2-decision-1"}
    url = f"/petitions/{first.json['id']}/decisions"
    assert client.post(url, json=decision, headers=key).status_code == 201
    assert client.post(url, json=decision, headers=key).status_code == 201  # replayed, not "already archived"
    assert len(outbox_events("intake.petition.decided")) == 1
