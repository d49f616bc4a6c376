"""Messages name a unit as notify's copy of intake's units has it on the day: seeded from every units file
(the two-tier tree since July 2025), then kept by ``intake.reference.changed`` (issue 22)."""

import dataclasses
import datetime as dt
import threading

import pika
import pytest
from sqlalchemy import select

from notify import rendering
from notify.database import ProcessedMessage
from notify.inbox.models import InboxMessage
from notify.units import service as units
from notify.units.models import UnitName
from tiepdan_common.messaging import contracts, topology
from tiepdan_common.messaging.consumer import ConsumerRunner, PermanentFailure
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import wait_for

NEW_UNIT = {
    "id": 812,
    "code": "31999",
    "name": "Xã Mỹ Xuyên Mới",
    "level": "commune",
    "parent_id": 1,
    "valid_from": "2026-11-01",
    "valid_to": None,
    "source": "Nghị quyết thử nghiệm",
    "confirmed": True,
    "note": None,
}


def change(data=None, *, action="created", version=501, table="units", key=None):
    data = {**NEW_UNIT, **(data or {})}
    envelope = Envelope.new(
        type="intake.reference.changed",
        source="intake",
        data={
            "table": table,
            "action": action,
            "key": key or f"{data['code']}@{data['valid_from']}",
            "effective_from": data["valid_from"],
            "reference_version": version,
            "changed_at": "2026-11-26T01:00:00+00:00",
            "changed_by": "admin",
            "data": data,
        },
    )
    contracts.validate(envelope)  # the test events keep their contract
    return envelope


@pytest.fixture
def names(db):
    def read():
        with db.session() as session:
            return units.names(session)

    return read


@pytest.fixture
def apply(db, settings):
    def run(event):
        with db.session() as session:
            units.handle(session, event, settings=settings)

    return run


def test_the_copy_is_seeded_from_every_units_file(names):
    copy = names()
    assert rendering.unit_name("31684", copy, on=dt.date(2024, 6, 10)) == "Thị trấn Mỹ Xuyên"
    assert rendering.unit_name("31684", copy, on=dt.date(2026, 12, 6)) == "Phường Mỹ Xuyên"
    assert rendering.unit_name("92", copy, on=dt.date(2026, 12, 6)) == "Thành phố Cần Thơ"


def test_an_unknown_code_stands_for_itself(names):
    assert rendering.unit_name("99999", names()) == "99999" and rendering.unit_name(None, names()) == ""


def test_seeding_again_adds_nothing_and_keeps_intake_s_changes(db, apply, names, reference_dir):
    apply(change({"code": "31684", "valid_from": "2025-07-01", "name": "Phường Mỹ Xuyên (sửa)"}, action="updated"))
    with db.session() as session:
        assert units.seed(session, reference_dir) == 0
    assert rendering.unit_name("31684", names(), on=dt.date(2026, 12, 6)) == "Phường Mỹ Xuyên (sửa)"


def test_a_change_is_applied_once_and_an_older_one_never_wins(apply, names):
    apply(change(version=501))
    apply(change({"name": "Xã Mỹ Xuyên Mới (cũ)"}, action="updated", version=500))  # late, out of order
    assert rendering.unit_name("31999", names(), on=dt.date(2026, 11, 26)) == "Xã Mỹ Xuyên Mới"
    apply(change({"name": "Xã Mỹ Xuyên Mới 2"}, action="updated", version=502))
    apply(change({"name": "Xã Mỹ Xuyên Mới 2"}, action="updated", version=502))  # the same again: no change
    assert names()["31999"] == [{"name": "Xã Mỹ Xuyên Mới 2", "valid_from": "2026-11-01", "valid_to": None}]
    apply(change(action="deleted", version=503))
    apply(change({"name": "Xã Mỹ Xuyên Mới 3"}, action="updated", version=502))  # older than the deletion
    assert "31999" not in names()


def test_other_tables_are_not_notify_s(apply, db):
    apply(change(table="holidays", key="2026-12-24", version=600))
    with db.session() as session:
        assert session.scalar(select(UnitName).where(UnitName.reference_version.is_not(None))) is None


def test_a_change_without_a_unit_is_dead_lettered_not_retried(apply):
    event = change(key="nothing")
    event.data["data"] = {}
    with pytest.raises(PermanentFailure):
        apply(event)


def test_a_message_names_the_unit_as_it_stood_on_the_service_s_day(handle, make_event, static_roster, clock, query):
    """The day comes from the service's clock (a demo set in 2024 names 2024's units), not the machine's."""
    clock.set(dt.datetime(2024, 6, 10, 2, 0, tzinfo=dt.UTC))
    handle(make_event("escalation.hotspot.detected", unit="31684"), static_roster(["btcd-01"], leader="ld-01"))
    bodies = {m.title + m.body for m in query(select(InboxMessage))}
    assert bodies and all("Thị trấn Mỹ Xuyên" in text for text in bodies)


def test_a_unit_added_in_intake_is_named_in_messages_after_its_event_arrives(
    settings, db, handle, make_event, static_roster, query
):
    """Over the real broker: intake's event reaches notify's consumer, and a message made afterwards names the unit."""
    roster = static_roster(["btcd-01"], leader="ld-01")
    before = make_event("escalation.hotspot.detected", unit="31999")
    handle(before, roster)
    assert all("tại 31999" in m.title for m in query(select(InboxMessage).where(InboxMessage.event_id == before.id)))

    from tiepdan_common.testing import isolated_broker_names

    names = isolated_broker_names("notify-units")
    broker = dataclasses.replace(settings, exchange=names["exchange"], queue_prefix=names["queue_prefix"])
    consumer = units.consumer(broker)
    spec = consumer.spec(broker)
    assert "intake.reference.changed" in spec.bindings
    topology.declare_all(broker, [spec])
    stop = threading.Event()
    event = change()
    try:
        connection = pika.BlockingConnection(topology.connection_parameters(broker))
        channel = connection.channel()
        for _ in range(2):  # delivered twice: applied once
            channel.basic_publish(
                broker.exchange,
                event.type,
                event.to_json().encode(),
                pika.BasicProperties(message_id=event.id, delivery_mode=2),
            )
        connection.close()
        runner = ConsumerRunner(broker, db, ProcessedMessage, consumer)
        threading.Thread(target=runner.run, args=(stop,), daemon=True).start()
        wait_for(lambda: runner.handled + runner.duplicates == 2, timeout=30)
        assert runner.handled == 1 and runner.duplicates == 1
    finally:
        stop.set()
        topology.delete_all(broker, [spec])

    after = make_event("escalation.hotspot.detected", unit="31999")
    handle(after, roster)
    messages = query(select(InboxMessage).where(InboxMessage.event_id == after.id))
    assert messages and all("tại Xã Mỹ Xuyên Mới" in m.title for m in messages)
