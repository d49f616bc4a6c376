"""A petition's steps that someone must be told of (issue 21): a matter returned to the lower level reaches
that commune (its inbox and its webhook ``commune:<unit>``); a deadline moved reaches the receiving desk,
which tells the citizen. Other steps tell nobody. Over the real broker, notify's intake consumer binds
``intake.petition.step_recorded``."""

import dataclasses
import threading

import pika
import pytest
from sqlalchemy import select

from notify.consumers import intake_consumer
from notify.database import ProcessedMessage
from notify.inbox.models import InboxMessage
from tiepdan_common.messaging import contracts, topology
from tiepdan_common.messaging.consumer import ConsumerRunner
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.testing import isolated_broker_names, wait_for

STEP = {
    "petition_id": "pt-9",
    "number": "DON-947/2025/000042",
    "step": "return_to_lower_level",
    "from_status": "received",
    "to_status": "returned_to_lower_level",
    "taken_on": "2025-03-12",
    "recorded_by": "btcd-01",
    "legal_basis": "Luật Tiếp công dân 42/2013, Điều 28",
    "deadline": None,
    "on_time": True,
    "receiving_unit": "947",
    "to_unit": "31690",
    "category": "complaint",
}


def step_event(**data):
    envelope = Envelope.new(type="intake.petition.step_recorded", source="intake", data={**STEP, **data})
    contracts.validate(envelope)  # the test events keep their contract
    return envelope


def told(query, event):
    return list(query(select(InboxMessage).where(InboxMessage.event_id == event.id).order_by(InboxMessage.recipient)))


@pytest.fixture
def roster(static_roster, make_person):
    return static_roster(
        [make_person("btcd-01")],
        leader="ld-01",
        agencies={
            "UBND-31690": [make_person("dt-01", "UBND-31690", "commune")],
            "UBND-947": [],
        },
    )


def test_a_matter_returned_to_the_lower_level_reaches_that_commune(handle, roster, query):
    event = step_event()
    handle(event, roster)
    messages = told(query, event)
    assert [m.recipient for m in messages] == ["dt-01", "system:commune:31690"]
    first = messages[0]
    assert first.title == "Đơn DON-947/2025/000042 được chuyển về cấp xã giải quyết"
    assert "khiếu nại số DON-947/2025/000042" in first.body and "Huyện Mỹ Xuyên" in first.body
    assert "Xã Đại Tâm" in first.body and "12/03/2025" in first.body and "Điều 28" in first.body
    assert first.title_en == "Petition DON-947/2025/000042 returned to the commune"
    assert first.urgent is False


def test_a_deadline_extended_or_restarted_reaches_the_receiving_desk(handle, roster, query):
    extended = step_event(
        step="extend",
        from_status="accepted",
        to_status="accepted",
        to_unit=None,
        category="denunciation",
        deadline="2025-05-26",
        legal_basis="Luật Tố cáo 25/2018, Điều 30",
    )
    handle(extended, roster)
    messages = told(query, extended)
    assert [m.recipient for m in messages] == ["btcd-01", "system:commune:947"]
    assert messages[0].title == "Đơn DON-947/2025/000042 được gia hạn giải quyết đến 26/05/2025"
    assert "thông báo cho người gửi đơn" in messages[0].body and "Điều 30" in messages[0].body
    resumed = step_event(
        step="resume", from_status="temporarily_suspended", to_status="accepted", to_unit=None, deadline="2025-06-20"
    )
    handle(resumed, roster)
    assert told(query, resumed)[0].title == "Đơn DON-947/2025/000042 tiếp tục giải quyết, hạn mới 20/06/2025"


def test_other_steps_and_a_step_without_what_is_needed_tell_nobody(handle, roster, query):
    for data in (
        {"step": "accept", "to_status": "accepted", "to_unit": None},
        {"step": "forward", "to_status": "forwarded", "to_unit": None},
        {"step": "return_to_lower_level", "to_unit": None},  # no commune named: nobody to tell
        {"step": "extend", "to_status": "accepted", "to_unit": None, "deadline": None},
    ):
        event = step_event(**data)
        handle(event, roster)
        assert told(query, event) == [], data


def test_the_intake_consumer_takes_step_events_from_the_broker(settings, db, roster, query):
    names = isolated_broker_names("notify")
    broker_settings = dataclasses.replace(settings, exchange=names["exchange"], queue_prefix=names["queue_prefix"])
    consumer = intake_consumer(broker_settings, roster)
    spec = consumer.spec(broker_settings)
    assert "intake.petition.step_recorded" in spec.bindings
    topology.declare_all(broker_settings, [spec])
    stop = threading.Event()
    event = step_event()
    try:
        connection = pika.BlockingConnection(topology.connection_parameters(broker_settings))
        connection.channel().basic_publish(
            broker_settings.exchange,
            event.type,
            event.to_json().encode(),
            pika.BasicProperties(message_id=event.id, delivery_mode=2),
        )
        connection.close()
        runner = ConsumerRunner(broker_settings, db, ProcessedMessage, consumer, prefetch=5)
        threading.Thread(target=runner.run, args=(stop,), daemon=True).start()
        wait_for(lambda: runner.handled == 1, timeout=30)
    finally:
        stop.set()
        topology.delete_all(broker_settings, [spec])
    assert [m.recipient for m in told(query, event)] == ["dt-01", "system:commune:31690"]
