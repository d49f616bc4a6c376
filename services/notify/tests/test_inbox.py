"""New cases reach the on-duty officers' inboxes, once each, in Vietnamese."""

import uuid

import pytest

from notify.consumers import case_consumer
from tiepdan_common.messaging.envelope import Envelope


def case_event(severity="medium", **data):
    payload = {
        "case_id": str(uuid.uuid4()),
        "number": "VV-2026-0001",
        "title": "Đoàn đông người (12 công dân), lĩnh vực đất đai, Xã Đại Tâm",
        "unit": "31690",
        "field": "land",
        "category": "complaint",
        "severity": severity,
        "level": "district",
        "group_size": 12,
        "public_order": False,
        "opened_at": "2026-11-26T02:15:00+00:00",
        "source": {"type": "visit", "id": "v-1"},
    }
    payload.update(data)
    return Envelope.new(type="escalation.case.opened", source="escalation", data=payload)


@pytest.fixture
def deliver(db, settings):
    def run(event, roster=None):
        consumer = case_consumer(settings, roster)
        with db.session() as session:
            consumer.handlers[event.type](session, event)

    return run


def test_each_on_duty_officer_gets_the_message_once(deliver, static_roster, client, officer):
    roster = static_roster(["btcd-01", "ttr-02", "ca-01"], leader="ld-01")
    event = case_event()
    deliver(event, roster)
    deliver(event, roster)  # redelivered: nobody is told twice
    for code in ("btcd-01", "ttr-02", "ca-01"):
        messages = client.get("/inbox", headers=officer(code)).json
        assert len(messages) == 1, code
    assert client.get("/inbox", headers=officer("ld-01")).json == []  # a medium case does not page the leader
    message = client.get("/inbox", headers=officer("btcd-01")).json[0]
    assert message["title"].startswith("Vụ việc mới VV-2026-0001: Đoàn đông người")
    assert "09:15 ngày 26/11/2026" in message["body"]  # shown in Asia/Ho_Chi_Minh
    assert "Mức độ: trung bình" in message["body"]


def test_a_serious_case_also_reaches_the_leader_on_call(deliver, static_roster, client, officer):
    deliver(case_event(severity="high"), static_roster(["btcd-01"], leader="ld-01"))
    (message,) = client.get("/inbox", headers=officer("ld-01")).json
    assert message["title"].startswith("[KHẨN]")


def test_when_roster_does_not_answer_the_fallback_audience_is_told(deliver, client, officer):
    deliver(case_event())  # the real client, pointed at a port where nothing listens
    for code in ("btcd-01", "btcd-02"):
        (message,) = client.get("/inbox", headers=officer(code)).json
        assert message["via_fallback"] is True


def test_reading_and_acknowledging(deliver, static_roster, client, officer):
    deliver(case_event(), static_roster(["btcd-01", "btcd-02"]))
    message = client.get("/inbox", headers=officer("btcd-01")).json[0]
    assert client.post(f"/inbox/{message['id']}/ack", headers=officer("btcd-02")).status_code == 404
    acked = client.post(f"/inbox/{message['id']}/ack", headers=officer("btcd-01")).json
    assert acked["acknowledged_via"] == "inbox" and acked["read_at"]
    again = client.post(f"/inbox/{message['id']}/ack", headers=officer("btcd-01")).json
    assert again["acknowledged_at"] == acked["acknowledged_at"]
    assert client.get("/inbox", query_string={"unread": "true"}, headers=officer("btcd-01")).json == []
    assert client.get("/inbox").status_code == 401
