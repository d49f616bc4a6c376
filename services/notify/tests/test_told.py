"""Who was told about a case: every message, to whom, over which channel, delivered and acknowledged when."""

import datetime as dt

from events import CASE_ID


def test_who_was_told_about_a_case_over_which_channel_and_when(
    client, board, officer, handle, make_event, static_roster, make_person, send_due, smtp, receiver, clock
):
    smtp.start()
    roster = static_roster(
        [make_person("btcd-01"), make_person("ttr-01", "TTR", "inspector", phone=False)],
        leader="ld-01",
        agencies={"TTR": [make_person("ttr-01", "TTR", "inspector", phone=False)]},
    )
    handle(make_event("escalation.case.opened", severity="high"), roster)
    clock.advance(minutes=3)
    handle(make_event("escalation.case.escalated"), roster)  # to TTR, whose ttr-01 is on duty
    handle(make_event("escalation.case.opened", case_id="another-case"), roster)
    send_due(limit=100)
    first = client.get("/messages", headers=board, query_string={"case_id": CASE_ID}).json
    ld01 = next(m for m in first if m["recipient"] == "ld-01")
    assert client.post(f"/inbox/{ld01['message_id']}/ack", headers=officer("ld-01")).status_code == 200

    told = client.get("/messages", headers=board, query_string={"case_id": CASE_ID}).json
    assert [(m["event_type"], m["recipient"]) for m in told] == [
        ("escalation.case.opened", "btcd-01"),
        ("escalation.case.opened", "ld-01"),
        ("escalation.case.opened", "ttr-01"),
        ("escalation.case.escalated", "ttr-01"),
    ]
    by = {(m["event_type"], m["recipient"]): m for m in told}
    opened = by[("escalation.case.opened", "ld-01")]
    assert opened["status"] == "acknowledged" and opened["acknowledged_via"] == "inbox"
    assert opened["name"] == "Cán bộ ld-01" and opened["rule"] == "case-opened-serious-leader"
    assert opened["channel"] == "inbox" and opened["delivered_at"] == "2026-11-26T02:00:00+00:00"
    assert {(d["channel"], d["status"]) for d in opened["deliveries"]} >= {("inbox", "sent"), ("sms", "sent")}
    escalated = by[("escalation.case.escalated", "ttr-01")]
    assert escalated["status"] == "delivered" and escalated["urgent"] is True
    sms = [d for d in escalated["deliveries"] if d["channel"] == "sms"]
    assert sms[0]["status"] == "skipped" and sms[0]["address"] is None  # no phone: shown, not hidden
    created = [dt.datetime.fromisoformat(m["created_at"]) for m in told]
    assert created == sorted(created)

    event_id = told[-1]["event_id"]
    assert [
        m["recipient"] for m in client.get("/messages", headers=board, query_string={"event_id": event_id}).json
    ] == ["ttr-01"]
    missing = client.get("/messages", headers=board)
    assert missing.status_code == 422 and "case_id" in str(missing.json)
    assert client.get("/messages", headers=officer("btcd-01"), query_string={"case_id": CASE_ID}).status_code == 403


def test_a_hot_spot_s_alert_is_found_under_each_of_its_cases(
    client, board, handle, make_event, static_roster, make_person
):
    roster = static_roster([make_person("btcd-01"), make_person("ca-01", "CA", "police")], leader="ld-01")
    handle(make_event("escalation.hotspot.detected", case_ids=[CASE_ID, "other-case", CASE_ID]), roster)
    for case_id in (CASE_ID, "other-case"):
        told = client.get("/messages", headers=board, query_string={"case_id": case_id}).json
        assert sorted(m["recipient"] for m in told) == [
            "btcd-01",
            "ca-01",
            "ld-01",
            "system:commune:31693",
            "system:police",
        ], case_id
        assert {m["event_type"] for m in told} == {"escalation.hotspot.detected"}
    assert client.get("/messages", headers=board, query_string={"case_id": "unrelated"}).json == []
