"""The walking skeleton's slice: a commune's mass visit reaches the on-duty officers' inboxes."""

import time
import uuid

import pika
import requests

from tiepdan_common.config import load_settings
from tiepdan_common.identity import IDENTITY_HEADER
from tiepdan_common.messaging import topology
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import wait_for


def mass_visit(size=12, field="land", **extra):
    # A matter of its own (origin, field, subject): another test's open case of the same matter would be joined.
    extra.setdefault("subject", f"Bồi thường tỉnh lộ 940 ({uuid.uuid4().hex[:8]})")
    return {
        "category": "complaint",
        "field": field,
        "group_size": size,
        "content": "Khiếu nại việc bồi thường khi thu hồi đất mở rộng tỉnh lộ 940",
        "citizens": [
            {
                "full_name": "Nguyễn Văn Tư",
                "address": "Ấp Phước Hòa",
                "is_representative": True,
                "id_number": "094080001234",
            },
            {"full_name": "Trần Thị Năm", "is_representative": True, "id_number": "094185005678"},
        ],
        "outcome": {"type": "documents_taken"},
        **extra,
    }


def on_duty_officers(system, token):
    resp = system.call("GET", "/api/v1/roster/on-duty", token)
    assert resp.status_code == 200, resp.text
    return [o["code"] for o in resp.json()["officers"]]


def inbox_for_case(system, token, case_id):
    resp = system.call("GET", "/api/v1/notify/inbox", token)
    assert resp.status_code == 200, resp.text
    return [m for m in resp.json() if m["case_id"] == case_id]


def case_for_visit(system, token, visit_id):
    for case in system.call("GET", "/api/v1/escalation/cases", token).json():
        detail = system.call("GET", f"/api/v1/escalation/cases/{case['id']}", token).json()
        if any(t["detail"].get("source", {}).get("id") == visit_id for t in detail["timeline"]):
            return detail
    return None


def test_a_commune_mass_visit_reaches_every_on_duty_officer(system, commune_token, board_token, officer_token):
    started = time.monotonic()
    resp = system.call("POST", "/api/v1/intake/visits", commune_token, json=mass_visit(field="compensation"))
    assert resp.status_code == 201, resp.text
    visit = resp.json()
    assert visit["receiving_unit"] == "31684" and visit["is_mass"] is True

    case = wait_for(lambda: case_for_visit(system, board_token, visit["id"]), timeout=10)
    assert case["status"] == "opened" and case["group_size"] == 12

    officers = on_duty_officers(system, board_token)
    assert officers
    first = officer_token(officers[0])
    (message,) = wait_for(lambda: inbox_for_case(system, first, case["id"]), timeout=10)
    elapsed = time.monotonic() - started
    assert message["title"].startswith("Vụ việc mới VV-")
    assert elapsed < 5, f"the inbox message took {elapsed:.2f}s"
    for code in officers[1:]:
        assert len(wait_for(lambda c=code: inbox_for_case(system, officer_token(c), case["id"]), timeout=5)) == 1


def test_services_answer_401_without_the_gateway_identity(system):
    forged = {IDENTITY_HEADER: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwia2luZCI6ImFkbWluIn0.c2lnbmF0dXJl"}
    for service, path in (
        ("intake", "/visits"),
        ("roster", "/on-duty"),
        ("escalation", "/cases"),
        ("notify", "/inbox"),
    ):
        base = f"http://127.0.0.1:{system.ports[service]}"
        for headers in ({}, forged):
            resp = requests.get(base + path, headers=headers, timeout=5)
            assert resp.status_code == 401, (service, resp.text)
            assert resp.headers["Content-Type"].startswith("application/problem+json")


def test_the_gateway_refuses_callers_without_a_valid_token(system):
    assert system.call("GET", "/api/v1/intake/visits").status_code == 401
    assert system.call("GET", "/api/v1/intake/visits", "not.a.token").status_code == 401


def test_a_visit_is_accepted_while_the_broker_is_down_and_notified_after(
    system, commune_token, board_token, officer_token
):
    system.proxy.cut()
    try:
        resp = system.call("POST", "/api/v1/intake/visits", commune_token, json=mass_visit(field="construction"))
        assert resp.status_code == 201, resp.text
        visit_id = resp.json()["id"]
        time.sleep(1.5)
        assert case_for_visit(system, board_token, visit_id) is None
    finally:
        system.proxy.start()
    case = wait_for(
        lambda: case_for_visit(system, board_token, visit_id),
        timeout=30,
        message="the case was not opened after the broker came back",
    )
    officer = on_duty_officers(system, board_token)[0]
    messages = wait_for(lambda: inbox_for_case(system, officer_token(officer), case["id"]), timeout=15)
    # Told once that it opened; other suites' visits may have made the commune a hot spot, which the case
    # joins at once (escalation.case.changed), so only the opening is counted.
    kinds = [m["event_type"] for m in messages]
    assert kinds.count("escalation.case.opened") == 1, kinds


def publish(system, envelope_json: bytes, message_id: str, routing_key: str) -> None:
    settings = load_settings("systest", system.names)
    connection = pika.BlockingConnection(topology.connection_parameters(settings))
    channel = connection.channel()
    channel.basic_publish(
        settings.exchange, routing_key, envelope_json, pika.BasicProperties(message_id=message_id, delivery_mode=2)
    )
    connection.close()


def test_the_same_event_twice_makes_one_case_and_one_message_each(system, board_token, officer_token):
    visit_id = str(uuid.uuid4())
    event = Envelope.new(
        type="intake.visit.recorded",
        source="intake",
        data={
            "visit_id": visit_id,
            "serial": "947/2026/999999",
            "receiving_unit": "947",
            "origin_unit": "31711",
            "received_at": "2026-11-26T02:00:00+00:00",
            "category": "complaint",
            "field": "social_policy",
            "group_size": 9,
            "representative_count": 2,
            "is_mass": True,
            "outcome": "documents_taken",
            "matter_key": "31711:social_policy",
            "repeat_of": None,
            "over_level": False,
        },
    )
    for _ in range(2):
        publish(system, event.to_json().encode(), event.id, event.type)
    case = wait_for(lambda: case_for_visit(system, board_token, visit_id), timeout=10)
    officer = on_duty_officers(system, board_token)[0]
    wait_for(lambda: inbox_for_case(system, officer_token(officer), case["id"]), timeout=10)
    time.sleep(1.0)  # give a duplicate every chance to show up
    cases = [c for c in system.call("GET", "/api/v1/escalation/cases", board_token).json() if c["unit"] == "31711"]
    assert len(cases) == 1
    assert len(inbox_for_case(system, officer_token(officer), case["id"])) == 1


def test_a_message_that_always_fails_is_dead_lettered_and_the_next_goes_through(system, board_token):
    settings = load_settings("systest", system.names)
    queue = f"{system.names['queue_prefix']}.escalation.intake-events"
    poison = Envelope.new(type="intake.visit.recorded", source="intake", data={"visit_id": "broken"})
    publish(system, poison.to_json().encode(), poison.id, poison.type)
    visit_id = str(uuid.uuid4())
    good = Envelope.new(
        type="intake.visit.recorded",
        source="intake",
        data={
            "visit_id": visit_id,
            "serial": "947/2026/999998",
            "receiving_unit": "947",
            "origin_unit": "31714",
            "received_at": "2026-11-26T02:00:00+00:00",
            "category": "complaint",
            "field": "labour",
            "group_size": 7,
            "representative_count": 1,
            "is_mass": True,
            "outcome": "documents_taken",
            "matter_key": "31714:labour",
            "repeat_of": None,
            "over_level": False,
        },
    )
    publish(system, good.to_json().encode(), good.id, good.type)
    wait_for(lambda: case_for_visit(system, board_token, visit_id), timeout=10)

    def dead_lettered():
        connection = pika.BlockingConnection(topology.connection_parameters(settings))
        try:
            method, props, body = connection.channel().basic_get(topology.dead_letter_queue(queue), auto_ack=True)
            return (props, body) if method else None
        finally:
            connection.close()

    props, body = wait_for(dead_lettered, timeout=10)
    assert props.message_id == poison.id
    assert "required property" in props.headers["x-tiepdan-reason"]
