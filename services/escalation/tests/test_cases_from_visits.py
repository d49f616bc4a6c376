"""Cases opened from intake's visit events, over the real RabbitMQ."""

import threading
import uuid

import pika
import pytest

from escalation.app import consumers
from escalation.case.models import Case
from escalation.database import ProcessedMessage
from tiepdan_common.messaging import topology
from tiepdan_common.messaging.consumer import ConsumerRunner
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import identity_headers, wait_for


def visit_event(size=12, unit="31690", field="land", **data):
    payload = {
        "visit_id": str(uuid.uuid4()),
        "serial": "947/2026/000001",
        "receiving_unit": "947",
        "origin_unit": unit,
        "received_at": "2026-11-26T02:00:00+00:00",
        "category": "complaint",
        "field": field,
        "group_size": size,
        "representative_count": 2,
        "is_mass": size >= 5,
        "outcome": "documents_taken",
        "matter_key": f"{unit}:{field}",
        "repeat_of": None,
        "over_level": False,
    }
    payload.update(data)
    return Envelope.new(type="intake.visit.recorded", source="intake", data=payload)


@pytest.fixture
def on_visit(settings, db):
    consumer = consumers(settings)[0]

    def run(event):
        with db.session() as session:
            consumer.handlers[event.type](session, event)

    return run


def test_a_mass_visit_opens_a_case_and_announces_it(on_visit, client, board, outbox_events):
    on_visit(visit_event(size=12))
    cases = client.get("/cases", headers=board).json
    assert len(cases) == 1
    case = cases[0]
    assert case["status"] == "opened" and case["severity"] == "medium" and case["group_size"] == 12
    assert case["owner_agency"] == "TNMT"
    assert "Xã Đại Tâm" in case["title"] and "đất đai" in case["title"]
    assert case["number"].startswith("VV-")
    (event,) = outbox_events("escalation.case.opened")
    assert event["data"]["case_id"] == case["id"]
    detail = client.get(f"/cases/{case['id']}", headers=board).json
    assert [t["kind"] for t in detail["timeline"]] == ["opened", "escalation_started"]


def test_small_visits_open_no_case_and_related_ones_join(on_visit, client, board, outbox_events):
    on_visit(visit_event(size=2))
    assert client.get("/cases", headers=board).json == []
    on_visit(visit_event(size=6))
    on_visit(visit_event(size=25))  # same unit and field: joins, raises severity
    on_visit(visit_event(size=8, unit="31693"))  # another commune: its own case
    cases = client.get("/cases", headers=board).json
    assert len(cases) == 2
    joined = [c for c in cases if c["unit"] == "31690"][0]
    assert joined["group_size"] == 25 and joined["severity"] == "high"
    assert len(outbox_events("escalation.case.opened")) == 2


def test_a_commune_sees_only_its_own_cases(on_visit, client):
    on_visit(visit_event(size=9, unit="31690"))
    on_visit(visit_event(size=9, unit="31693"))
    mine = identity_headers(subject="commune-31693", kind="commune", unit="31693", permissions=("cases:read",))
    cases = client.get("/cases", headers=mine).json
    assert [c["unit"] for c in cases] == ["31693"]
    other = [
        c
        for c in client.get("/cases", headers=identity_headers(permissions=("cases:read",))).json
        if c["unit"] == "31690"
    ][0]
    assert client.get(f"/cases/{other['id']}", headers=mine).status_code == 404
    assert client.get("/cases", headers=identity_headers(permissions=())).status_code == 403


def test_the_same_event_delivered_twice_opens_one_case(settings, db, declared_topology, stop):
    consumer = consumers(settings)[0]
    event = visit_event(size=15)
    connection = pika.BlockingConnection(topology.connection_parameters(settings))
    channel = connection.channel()
    for _ in range(2):
        channel.basic_publish(
            settings.exchange,
            event.type,
            event.to_json().encode(),
            pika.BasicProperties(message_id=event.id, delivery_mode=2),
        )
    connection.close()
    runner = ConsumerRunner(settings, db, ProcessedMessage, consumer)
    threading.Thread(target=runner.run, args=(stop,), daemon=True).start()
    wait_for(lambda: runner.handled + runner.duplicates == 2, timeout=15)
    with db.session() as session:
        assert session.query(Case).count() == 1


def test_a_batch_takes_its_case_numbers_together_in_order_without_gaps(settings, db, on_visit, outbox_events):
    """One UPDATE of the counter for the batch's new cases; numbers in the visits' order, continuing the year's."""
    import sqlalchemy as sa

    on_visit(visit_event(size=9, unit="31690", field="land"))  # VV-year-0001, open: the batch's land visit joins it
    already = visit_event(size=7, unit="31693", field="land")
    on_visit(already)  # 0002
    batch = [
        visit_event(size=6, unit="31690", field="environment"),  # 0003
        visit_event(size=2, unit="31693", field="environment"),  # too small: no case
        visit_event(size=8, unit="31690", field="land"),  # joins 0001
        visit_event(size=6, unit="31694", field="land"),  # 0004
        visit_event(size=12, unit="31690", field="environment"),  # joins 0003
        already,  # linked already: nothing
        visit_event(size=5, unit="31695", field="compensation"),  # 0005
    ]
    batch.insert(4, batch[3])  # the same visit twice in the batch: one case
    counter_updates = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE CASE_COUNTERS"):
            counter_updates.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as session:
            consumers(settings)[0].batch_handlers["intake.visit.recorded"](session, [e for e in batch])
            session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(counter_updates) == 1
    opened = [
        (e["data"]["unit"], e["data"]["field"], e["data"]["number"][-4:])
        for e in outbox_events("escalation.case.opened")
    ]
    assert opened == [
        ("31690", "land", "0001"),
        ("31693", "land", "0002"),
        ("31690", "environment", "0003"),
        ("31694", "land", "0004"),
        ("31695", "compensation", "0005"),
    ]
    on_visit(visit_event(size=6, unit="31696", field="land"))
    assert outbox_events("escalation.case.opened")[-1]["data"]["number"].endswith("-0006")


def test_numbers_taken_together_and_not_used_are_given_back(db):
    from escalation.case.numbers import Numbers, next_number

    with db.session() as session:
        first = next_number(db_session=session, year=2031)
        numbers = Numbers(db_session=session, year=2031, count=4)
        taken = [numbers.take(2031), numbers.take(2032), numbers.take(2031)]
        numbers.give_back()
        after = next_number(db_session=session, year=2031)
        session.commit()
    assert (first, taken, after) == ("VV-2031-0001", ["VV-2031-0002", "VV-2032-0001", "VV-2031-0003"], "VV-2031-0004")


def test_a_case_opened_by_a_visit_takes_its_time_and_number_from_the_apps_clock(on_visit, client, board, clock):
    import datetime as dt

    clock.set(dt.datetime(2025, 6, 15, 3, 0, tzinfo=dt.UTC))  # not the real year: the real clock would fail this
    on_visit(visit_event(size=12))
    (case,) = client.get("/cases", headers=board).json
    assert dt.datetime.fromisoformat(case["opened_at"]) == clock()
    assert case["number"].startswith("VV-2025-")


def test_a_case_opened_after_midnight_of_new_year_in_viet_nam_is_numbered_in_the_new_year(
    on_visit, client, board, admin, clock
):
    import datetime as dt

    clock.set(dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC))  # 00:30 on 1 January 2027 in Viet Nam
    on_visit(visit_event(size=12))
    manual = client.post(
        "/cases", headers=admin, json={"title": "Khiếu nại đầu năm", "unit": "31693", "field": "construction"}
    )
    assert manual.status_code == 201, manual.json
    numbers = sorted(c["number"] for c in client.get("/cases", headers=board).json)
    assert numbers == ["VV-2027-0001", "VV-2027-0002"]
