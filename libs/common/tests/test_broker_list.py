"""AMQP_URL may list several broker nodes: every process finds a live one."""

import dataclasses
import socket
import threading

import pika

from tiepdan_common.messaging import topology
from tiepdan_common.messaging.consumer import Consumer, ConsumerRunner
from tiepdan_common.messaging.outbox import Outbox
from tiepdan_common.messaging.relay import OutboxRelay
from tiepdan_common.testing import wait_for


def _dead_address() -> str:
    """A loopback port nothing listens on: a refused connection, like a stopped node."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"amqp://guest:guest@127.0.0.1:{port}/%2F"


def test_broker_urls_split_on_commas(settings):
    listed = dataclasses.replace(settings, amqp_url=f" {_dead_address()} ,{settings.amqp_url},")
    assert len(topology.broker_urls(listed)) == 2
    params = topology.connection_parameters(listed)
    assert {p.port for p in params} == {pika.URLParameters(u).port for u in topology.broker_urls(listed)}
    assert all(p.heartbeat == 30 and p.connection_attempts == 1 for p in params)


def test_relay_and_consumer_reach_the_live_node_when_another_is_down(db, settings, stop, outbox_model, processed_model):
    cluster = dataclasses.replace(settings, amqp_url=f"{_dead_address()},{settings.amqp_url},{_dead_address()}")
    outbox = Outbox(outbox_model, source="libtest")
    seen = []
    consumer = Consumer("sink", {"test.sample.happened": lambda s, e: seen.append(e.data["n"])})
    topology.declare_all(cluster, [consumer.spec(cluster)])
    with db.session() as session:
        for n in range(20):
            outbox.add(session, "test.sample.happened", {"n": n})
    relay = OutboxRelay(cluster, db, outbox)
    runner = ConsumerRunner(cluster, db, processed_model, consumer)
    for component in (relay, runner):
        threading.Thread(target=component.run, args=(stop,), daemon=True).start()
    wait_for(lambda: len(seen) >= 20, timeout=30)
    assert sorted(seen) == list(range(20))
    wait_for(lambda: relay.published == 20)  # the relay marks what it published a moment after the confirms
    with db.session() as session:
        assert outbox.pending_count(session) == 0
