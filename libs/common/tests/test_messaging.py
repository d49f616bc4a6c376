"""The outbox, relay and consumers against the real RabbitMQ, on SQLite and PostgreSQL."""

import json
import threading

import pika
import pytest
from sqlalchemy import event, func, select

from tiepdan_common.messaging import topology
from tiepdan_common.messaging.consumer import Consumer, ConsumerRunner
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.messaging.outbox import Outbox
from tiepdan_common.messaging.relay import OutboxRelay
from tiepdan_common.testing import wait_for


def start(component, stop):
    thread = threading.Thread(target=component.run, args=(stop,), daemon=True)
    thread.start()
    return thread


def publish_raw(settings, body: bytes, *, message_id="m-1", routing_key="test.sample.happened"):
    connection = pika.BlockingConnection(topology.connection_parameters(settings))
    channel = connection.channel()
    channel.basic_publish(
        exchange=settings.exchange,
        routing_key=routing_key,
        body=body,
        properties=pika.BasicProperties(message_id=message_id, delivery_mode=2),
    )
    connection.close()


def dead_letters(settings, queue):
    connection = pika.BlockingConnection(topology.connection_parameters(settings))
    channel = connection.channel()
    out = []
    while True:
        method, props, body = channel.basic_get(topology.dead_letter_queue(queue), auto_ack=True)
        if method is None:
            break
        out.append((props, body))
    connection.close()
    return out


def test_events_written_in_a_transaction_reach_the_consumer_once(db, settings, stop, outbox_model, processed_model):
    outbox = Outbox(outbox_model, source="libtest")
    seen = []
    consumer = Consumer("sink", {"test.sample.happened": lambda s, e: seen.append(e.data["n"])})
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    topology.declare_all(settings, [consumer.spec(settings)])
    with db.session() as session:
        for n in range(50):
            outbox.add(session, "test.sample.happened", {"n": n})
    with db.session() as session:  # a rolled-back change publishes nothing
        outbox.add(session, "test.sample.happened", {"n": 999})
        session.rollback()
    relay = OutboxRelay(settings, db, outbox)
    start(relay, stop)
    start(runner, stop)
    wait_for(lambda: len(seen) >= 50, timeout=15)
    assert sorted(seen) == list(range(50))
    wait_for(lambda: relay.published == 50)
    with db.session() as session:
        assert outbox.pending_count(session) == 0


def test_events_collected_in_a_block_are_written_together_in_order_or_not_at_all(db, outbox_model):
    outbox = Outbox(outbox_model, source="libtest")
    inserts = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT") and outbox_model.__tablename__ in statement:
            inserts.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as session:
            with outbox.collected(session):
                for n in range(5):
                    outbox.add(session, "test.sample.happened", {"n": n})
                with outbox.collected(session):  # an inner block: the outer one writes its events
                    outbox.add(session, "test.sample.happened", {"n": 5})
                assert inserts == []  # nothing written until the block ends
            outbox.add(session, "test.sample.happened", {"n": 6})  # outside a block: written at once
            session.commit()
        assert len(inserts) == 2
        with db.session() as session:
            with pytest.raises(RuntimeError), outbox.collected(session):
                outbox.add(session, "test.sample.happened", {"n": 999})
                raise RuntimeError("the batch failed")
            session.commit()
        assert len(inserts) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    with db.session() as session:
        rows = session.execute(select(outbox_model.payload).order_by(outbox_model.id)).scalars().all()
    assert [json.loads(payload)["data"]["n"] for payload in rows] == [0, 1, 2, 3, 4, 5, 6]


def test_a_redelivered_message_is_handled_once(db, settings, stop, outbox_model, processed_model):
    seen = []
    consumer = Consumer("sink", {"test.sample.happened": lambda s, e: seen.append(e.id)})
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    topology.declare_all(settings, [consumer.spec(settings)])
    envelope = Envelope.new(type="test.sample.happened", source="t", data={"n": 1})
    for _ in range(3):
        publish_raw(settings, envelope.to_json().encode(), message_id=envelope.id)
    start(runner, stop)
    wait_for(lambda: runner.handled + runner.duplicates == 3)
    assert seen == [envelope.id]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(processed_model)) == 1


def test_a_message_that_always_fails_is_dead_lettered_and_the_next_goes_through(
    db, settings, stop, outbox_model, processed_model, caplog
):
    calls = []

    def handler(session, envelope):
        calls.append(envelope.data["n"])
        if envelope.data.get("fail"):
            raise RuntimeError("always fails")

    consumer = Consumer("flaky", {"test.sample.happened": handler})
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    spec = consumer.spec(settings)
    topology.declare_all(settings, [spec])
    bad = Envelope.new(type="test.sample.happened", source="t", data={"n": 1, "fail": True})
    good = Envelope.new(type="test.sample.happened", source="t", data={"n": 2})
    publish_raw(settings, bad.to_json().encode(), message_id=bad.id)
    publish_raw(settings, good.to_json().encode(), message_id=good.id)
    start(runner, stop)
    wait_for(lambda: 2 in calls, timeout=15)
    wait_for(lambda: dead_letters_peek(settings, spec.name) == 1, timeout=15)
    # Delivered max_delivery_attempts times, each failure logged; its handler also ran once more if it first
    # came in a batch with the good one (that batch's savepoint was rolled back, then each was handled alone).
    failures = [r for r in caplog.records if bad.id in r.getMessage() and "failed on" in r.getMessage()]
    assert len(failures) == settings.max_delivery_attempts
    assert settings.max_delivery_attempts <= calls.count(1) <= settings.max_delivery_attempts + 1
    with db.session() as session:  # the good one, handled once whatever batch it came in
        assert session.query(processed_model).filter_by(message_id=good.id).count() == 1
    letters = dead_letters(settings, spec.name)
    assert json.loads(letters[0][1])["id"] == bad.id


def dead_letters_peek(settings, queue):
    connection = pika.BlockingConnection(topology.connection_parameters(settings))
    channel = connection.channel()
    count = channel.queue_declare(topology.dead_letter_queue(queue), passive=True).method.message_count
    connection.close()
    return count


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"\xff\xfe not json", "not UTF-8 JSON"),
        (b'{"id": "x"}', "envelope lacks"),
        (b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}', "exceeds the"),
        (
            json.dumps(
                {
                    "id": "m-1",
                    "type": "test.sample.happened",
                    "version": 9,
                    "occurred_at": "2026-01-01T00:00:00Z",
                    "source": "t",
                    "correlation_id": "c",
                    "data": {"n": 1},
                }
            ).encode(),
            "unsupported version",
        ),
        (
            json.dumps(
                {
                    "id": "m-1",
                    "type": "test.sample.happened",
                    "version": 1,
                    "occurred_at": "2026-01-01T00:00:00Z",
                    "source": "t",
                    "correlation_id": "c",
                    "data": {"n": "one"},
                }
            ).encode(),
            'is not of type "integer"',
        ),
    ],
)
def test_malformed_messages_are_dead_lettered_with_a_reason(
    db, settings, stop, outbox_model, processed_model, body, reason
):
    seen = []
    consumer = Consumer("sink", {"test.sample.happened": lambda s, e: seen.append(e.data["n"])})
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    spec = consumer.spec(settings)
    topology.declare_all(settings, [spec])
    publish_raw(settings, body)
    good = Envelope.new(type="test.sample.happened", source="t", data={"n": 7})
    publish_raw(settings, good.to_json().encode(), message_id=good.id)
    start(runner, stop)
    wait_for(lambda: seen == [7])
    wait_for(lambda: runner.dead_lettered == 1)
    ((props, _body),) = dead_letters(settings, spec.name)
    assert reason in props.headers["x-tiepdan-reason"]


def test_a_batch_handler_takes_runs_of_its_type_and_a_failing_batch_falls_back_to_one_by_one(
    db, settings, stop, outbox_model, processed_model
):
    """Effects are rows in the same transaction: a failed batch leaves none, each message is then handled alone."""
    effects = Outbox(outbox_model, source="libtest")
    batch_sizes, alone = [], []

    def one(session, envelope):
        alone.append(envelope.data["n"])
        if envelope.data.get("fail"):
            raise RuntimeError("always fails")
        effects.add(session, "test.sample.happened", {"n": envelope.data["n"]})

    def many(session, envelopes):
        batch_sizes.append(len(envelopes))
        for envelope in envelopes:
            if envelope.data.get("fail"):
                raise RuntimeError("always fails")
            effects.add(session, "test.sample.happened", {"n": envelope.data["n"]})

    consumer = Consumer("batched", {"test.sample.happened": one}, batch_handlers={"test.sample.happened": many})
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    spec = consumer.spec(settings)
    topology.declare_all(settings, [spec])
    for n in range(40):
        envelope = Envelope.new(type="test.sample.happened", source="t", data={"n": n, "fail": n == 30})
        publish_raw(settings, envelope.to_json().encode(), message_id=envelope.id)
    start(runner, stop)
    wait_for(lambda: runner.handled == 39 and dead_letters_peek(settings, spec.name) == 1, timeout=30)
    assert max(batch_sizes) > 1  # the batch path was taken
    assert 30 in alone  # and the failing batch fell back to messages one by one
    with db.session() as session:
        made = [json.loads(row.payload)["data"]["n"] for row in session.scalars(select(outbox_model))]
    assert sorted(made) == [n for n in range(40) if n != 30]  # each effect exactly once, none from failed batches


def test_a_batch_takes_every_message_already_arrived_not_only_one_read_of_the_socket(
    db, settings, stop, outbox_model, processed_model
):
    """300 messages of 2 KB waiting: pika reads 100 KiB a call (about 50 of them); the batch takes more."""
    batch_sizes = []
    consumer = Consumer(
        "gathered",
        {"test.sample.happened": lambda s, e: batch_sizes.append(1)},
        batch_handlers={"test.sample.happened": lambda s, es: batch_sizes.append(len(es))},
    )
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    spec = consumer.spec(settings)
    topology.declare_all(settings, [spec])
    connection = pika.BlockingConnection(topology.connection_parameters(settings))
    channel = connection.channel()
    for n in range(300):
        envelope = Envelope.new(type="test.sample.happened", source="t", data={"n": n, "pad": "x" * 2000})
        channel.basic_publish(
            settings.exchange,
            envelope.type,
            envelope.to_json().encode(),
            pika.BasicProperties(message_id=envelope.id, delivery_mode=2),
        )
    connection.close()
    start(runner, stop)
    wait_for(lambda: runner.handled == 300, timeout=30)
    assert sum(batch_sizes) == 300
    assert max(batch_sizes) > 100, batch_sizes


def test_a_mixed_batch_goes_in_one_savepoint_and_one_failure_sends_it_back_apart(
    db, settings, stop, outbox_model, processed_model
):
    """Types with and without a batch handler, interleaved: handled together, in order, each effect once."""
    effects = Outbox(outbox_model, source="libtest")
    order, batch_sizes = [], []

    def noted(session, envelope):
        order.append(("noted", envelope.data["n"]))
        if envelope.data.get("fail"):
            raise RuntimeError("always fails")
        effects.add(session, "test.sample.noted", {"n": envelope.data["n"]})

    def happened(session, envelope):
        many(session, [envelope])

    def many(session, envelopes):
        batch_sizes.append(len(envelopes))
        for envelope in envelopes:
            order.append(("happened", envelope.data["n"]))
            effects.add(session, "test.sample.happened", {"n": envelope.data["n"]})

    consumer = Consumer(
        "mixed",
        {"test.sample.happened": happened, "test.sample.noted": noted},
        batch_handlers={"test.sample.happened": many},
    )
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    together, run_together = [], runner._run_together

    def watched(session, items):
        together.append({envelope.type for _, envelope in items})
        return run_together(session, items)

    runner._run_together = watched
    spec = consumer.spec(settings)
    topology.declare_all(settings, [spec])
    sent = []
    for n in range(60):
        kind = "test.sample.noted" if n % 3 == 0 else "test.sample.happened"
        envelope = Envelope.new(type=kind, source="t", data={"n": n, **({"fail": True} if n == 45 else {})})
        publish_raw(settings, envelope.to_json().encode(), message_id=envelope.id, routing_key=kind)
        sent.append(n)
    start(runner, stop)
    wait_for(lambda: runner.handled == 59 and dead_letters_peek(settings, spec.name) == 1, timeout=30)
    # In the order they came, whatever the type, until the failing one sent its batch back to be redone.
    assert [n for _, n in order[:46]] == sent[:46]
    assert max(batch_sizes) > 1
    assert {"test.sample.noted", "test.sample.happened"} in together  # both types in one savepoint
    with db.session() as session:
        made = sorted(json.loads(row.payload)["data"]["n"] for row in session.scalars(select(outbox_model)))
        processed = session.query(processed_model).filter_by(consumer="mixed").count()
    assert made == [n for n in range(60) if n != 45]  # each effect exactly once, none from the failed batch
    assert processed == 59


def test_a_message_alone_whose_handler_fails_once_leaves_nothing_and_is_handled_again(
    db, settings, stop, outbox_model, processed_model
):
    """A batch of one runs without a savepoint: its failure rolls the transaction back, its retry succeeds."""
    effects = Outbox(outbox_model, source="libtest")
    calls = []

    def handler(session, envelope):
        calls.append(envelope.id)
        effects.add(session, "test.sample.happened", {"n": envelope.data["n"]})
        session.flush()  # the effect is in the transaction when the handler fails
        if len(calls) == 1:
            raise RuntimeError("fails the first time")

    consumer = Consumer("alone", {"test.sample.happened": handler})
    runner = ConsumerRunner(settings, db, processed_model, consumer)
    spec = consumer.spec(settings)
    topology.declare_all(settings, [spec])
    envelope = Envelope.new(type="test.sample.happened", source="t", data={"n": 7})
    publish_raw(settings, envelope.to_json().encode(), message_id=envelope.id)
    start(runner, stop)
    wait_for(lambda: runner.handled == 1, timeout=15)
    assert calls == [envelope.id, envelope.id]
    with db.session() as session:
        made = [json.loads(row.payload)["data"]["n"] for row in session.scalars(select(outbox_model))]
        assert made == [7]  # the failed attempt's effect was rolled back
        assert session.query(processed_model).filter_by(message_id=envelope.id).count() == 1


def test_runs_keep_the_order_and_group_only_batched_types():
    from tiepdan_common.messaging.consumer import _runs

    def item(kind):
        return (object(), Envelope.new(type=kind, source="t", data={}))

    items = [item("a"), item("a"), item("b"), item("b"), item("a")]
    runs = _runs(items, {"a": None})
    assert [[e.type for _, e in run] for run in runs] == [["a", "a"], ["b"], ["b"], ["a"]]

    def together(session, events): ...  # one handler for two types: their messages go together, mixed

    items = [item("a"), item("c"), item("a"), item("b"), item("c"), item("d"), item("d")]
    runs = _runs(items, {"a": together, "c": together, "d": lambda session, events: None})
    assert [[e.type for _, e in run] for run in runs] == [["a", "c", "a"], ["b"], ["c"], ["d", "d"]]


def test_a_commit_wakes_the_listening_relay_on_postgresql(
    db, settings, stop, outbox_model, processed_model, monkeypatch
):
    """With the safety-net poll pushed out of reach, only PostgreSQL's notification can get the event out."""
    from tiepdan_common.messaging import relay as relay_module

    if not db.is_postgresql:
        pytest.skip("SQLite has no notifications; the relay polls")
    monkeypatch.setattr(relay_module, "LISTENING_POLL_SECONDS", 3600.0)
    outbox = Outbox(outbox_model, source="libtest")
    seen = []
    consumer = Consumer("woken", {"test.sample.happened": lambda s, e: seen.append(e.data["n"])})
    topology.declare_all(settings, [consumer.spec(settings)])
    relay = OutboxRelay(settings, db, outbox)
    start(relay, stop)
    start(ConsumerRunner(settings, db, processed_model, consumer), stop)
    wait_for(lambda: relay._listener is not None, timeout=10)
    wait_for(lambda: relay._last_poll > 0 and not relay._woken, timeout=10)  # the first read is behind us
    for n in range(3):
        with db.session() as session:
            outbox.add(session, "test.sample.happened", {"n": n})
        wait_for(lambda n=n: len(seen) == n + 1, timeout=10)
    assert seen == [0, 1, 2]


def test_a_relay_whose_listening_connection_dies_listens_again(
    db, settings, stop, outbox_model, processed_model, monkeypatch
):
    """PostgreSQL ends the listener's session (as in a restart): the relay polls, listens again, is woken again."""
    from sqlalchemy import text

    from tiepdan_common.messaging import relay as relay_module

    if not db.is_postgresql:
        pytest.skip("SQLite has no notifications; the relay polls")
    monkeypatch.setattr(relay_module, "RELISTEN_SECONDS", 0.2)
    outbox = Outbox(outbox_model, source="libtest")
    seen = []
    consumer = Consumer("relisten", {"test.sample.happened": lambda s, e: seen.append(e.data["n"])})
    topology.declare_all(settings, [consumer.spec(settings)])
    relay = OutboxRelay(settings, db, outbox)
    start(relay, stop)
    start(ConsumerRunner(settings, db, processed_model, consumer), stop)
    wait_for(lambda: relay._listener is not None, timeout=10)
    first = relay._listener
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first.info.backend_pid})
    with db.session() as session:  # noticed by polling while the relay is deaf
        outbox.add(session, "test.sample.happened", {"n": 1})
    wait_for(lambda: seen == [1], timeout=10)
    wait_for(lambda: relay._listener is not None and relay._listener is not first, timeout=10)
    monkeypatch.setattr(relay_module, "LISTENING_POLL_SECONDS", 3600.0)
    wait_for(lambda: not relay._woken, timeout=10)
    with db.session() as session:  # only a notification can bring this one out now
        outbox.add(session, "test.sample.happened", {"n": 2})
    wait_for(lambda: seen == [1, 2], timeout=10)
