"""A database that goes away (a failover, a restart) costs a consumer no delivery attempt and no message."""

import threading
import time

import pika
from sqlalchemy.exc import OperationalError

from tiepdan_common.messaging import topology
from tiepdan_common.messaging.consumer import Consumer, ConsumerRunner
from tiepdan_common.messaging.outbox import Outbox
from tiepdan_common.messaging.relay import OutboxRelay
from tiepdan_common.testing import wait_for


def _dead_letters(settings, queue: str) -> int:
    connection = pika.BlockingConnection(topology.connection_parameters(settings))
    try:
        return connection.channel().queue_declare(topology.dead_letter_queue(queue), passive=True).method.message_count
    finally:
        connection.close()


def _start(component, stop):
    threading.Thread(target=component.run, args=(stop,), daemon=True).start()


def _outage(db, monkeypatch, seconds: float):
    """The database is unreachable for ``seconds`` from the first handling: pings fail, handlers fail."""
    state = {"until": None}

    def down() -> bool:
        if state["until"] is None:
            state["until"] = time.monotonic() + seconds
        return time.monotonic() < state["until"]

    real_ping = db.ping

    def ping():
        if state["until"] is not None and time.monotonic() < state["until"]:
            raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))
        real_ping()

    monkeypatch.setattr(db, "ping", ping)
    return down


def test_messages_wait_for_the_database_instead_of_being_dead_lettered(
    db, settings, stop, outbox_model, processed_model, monkeypatch
):
    down = _outage(db, monkeypatch, seconds=2.0)
    seen, failures = [], []

    def handle(session, envelope):
        if down():
            failures.append(envelope.data["n"])
            raise OperationalError("INSERT", {}, ConnectionError("server closed the connection unexpectedly"))
        seen.append(envelope.data["n"])

    consumer = Consumer("sink", {"test.sample.happened": handle})
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    outbox = Outbox(outbox_model, source="libtest")
    topology.declare_all(settings, [consumer.spec(settings)])
    with db.session() as session:
        for n in range(5):
            outbox.add(session, "test.sample.happened", {"n": n})
    _start(OutboxRelay(settings, db, outbox), stop)
    _start(runner, stop)
    wait_for(lambda: len(seen) >= 5, timeout=30)
    assert sorted(seen) == list(range(5))
    assert failures, "the outage was never felt"
    # The settings allow 3 deliveries: handled again at once, an outage of 2 s would have spent them.
    assert _dead_letters(settings, consumer.spec(settings).name) == 0


def test_an_operational_error_while_the_database_answers_is_the_message_s_own(
    db, settings, stop, outbox_model, processed_model
):
    """SQLite's "no such table" is an OperationalError too: with the database answering, it is retried and
    then dead-lettered as any failing message, not waited on forever."""

    def handle(session, envelope):
        raise OperationalError("INSERT INTO nowhere", {}, Exception("no such table: nowhere"))

    consumer = Consumer("flaky", {"test.sample.happened": handle})
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    outbox = Outbox(outbox_model, source="libtest")
    topology.declare_all(settings, [consumer.spec(settings)])
    with db.session() as session:
        outbox.add(session, "test.sample.happened", {"n": 1})
    _start(OutboxRelay(settings, db, outbox), stop)
    _start(runner, stop)
    wait_for(lambda: _dead_letters(settings, consumer.spec(settings).name) == 1, timeout=30)
