"""A flood of the same event over the real broker, to two consumer replicas: one message per person."""

import dataclasses
import threading

import pika
import pytest
from sqlalchemy import func, select

from notify.consumers import case_consumer
from notify.database import ProcessedMessage
from notify.delivery.models import Delivery
from notify.inbox.models import InboxMessage
from tiepdan_common.messaging import topology
from tiepdan_common.messaging.consumer import ConsumerRunner
from tiepdan_common.testing import isolated_broker_names, wait_for

COPIES = 30


@pytest.fixture
def broker_settings(settings):
    names = isolated_broker_names("notify")
    return dataclasses.replace(settings, exchange=names["exchange"], queue_prefix=names["queue_prefix"])


def test_a_flood_of_the_same_event_tells_each_person_once(broker_settings, db, static_roster, make_event):
    roster = static_roster(["btcd-01", "btcd-02", "ttr-01", "ca-01"], leader="ld-01")
    consumer = case_consumer(broker_settings, roster)
    spec = consumer.spec(broker_settings)
    topology.declare_all(broker_settings, [spec])
    stop = threading.Event()
    try:
        event = make_event("escalation.case.opened", severity="high")
        connection = pika.BlockingConnection(topology.connection_parameters(broker_settings))
        channel = connection.channel()
        for _ in range(COPIES):
            channel.basic_publish(
                broker_settings.exchange,
                event.type,
                event.to_json().encode(),
                pika.BasicProperties(message_id=event.id, delivery_mode=2),
            )
        connection.close()
        runners = [ConsumerRunner(broker_settings, db, ProcessedMessage, consumer, prefetch=5) for _ in range(2)]
        for runner in runners:
            threading.Thread(target=runner.run, args=(stop,), daemon=True).start()
        wait_for(lambda: sum(r.handled + r.duplicates for r in runners) == COPIES, timeout=30)
    finally:
        stop.set()
        topology.delete_all(broker_settings, [spec])
    assert sum(r.handled for r in runners) == 1
    with db.session() as session:
        counts = dict(
            session.execute(select(InboxMessage.recipient, func.count()).group_by(InboxMessage.recipient)).all()
        )
        sms = session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.channel == "sms", Delivery.step == 0)
        )
    assert counts == {"btcd-01": 1, "btcd-02": 1, "ttr-01": 1, "ca-01": 1, "ld-01": 1}
    assert sms == 5  # and one first SMS each, not thirty
