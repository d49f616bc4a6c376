"""How long a backlog of N events takes to drain once the broker is back (goal: 10,000 in under 5 s).

The broker is cut (TCP proxy), N intake.visit.recorded events are committed to
intake's outbox as the API would write them, the broker comes back, and the
clock runs until the relay has published them all and escalation's consumer has
handled them all. Baseline, same run, same broker: publishing N messages of the
same size with confirms and consuming them with acks, with no database.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid

import pika
from _report import goal
from _system import start_system

from tiepdan_common.config import load_settings
from tiepdan_common.db import Database
from tiepdan_common.messaging import topology
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.messaging.outbox import Outbox
from tiepdan_common.models import OutboxMixin


def visit_data(i: int) -> dict:
    unit = ["31684", "31690", "31693", "31708", "31711"][i % 5]
    return {
        "visit_id": str(uuid.uuid4()),
        "serial": f"{unit}/2026/{i:06d}",
        "receiving_unit": unit,
        "origin_unit": unit,
        "received_at": "2026-11-26T02:00:00+00:00",
        "category": "feedback",
        "field": "land",
        "group_size": 1,
        "representative_count": 0,
        "is_mass": False,
        "outcome": "documents_taken",
        "matter_key": f"{unit}:land",
        "repeat_of": None,
        "over_level": False,
    }


def baseline(settings, n: int, body: bytes) -> float:
    """Seconds to publish n messages with confirms and consume them with acks, no database."""
    queue = f"{settings.queue_prefix}.bench.baseline"
    conn = pika.BlockingConnection(topology.connection_parameters(settings))
    ch = conn.channel()
    ch.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    ch.confirm_delivery()
    done = threading.Event()
    received = [0]

    def consume():
        c = pika.BlockingConnection(topology.connection_parameters(settings))
        cch = c.channel()
        cch.basic_qos(prefetch_count=50)

        def on_message(channel, method, _props, _body):
            channel.basic_ack(method.delivery_tag)
            received[0] += 1
            if received[0] >= n:
                done.set()

        cch.basic_consume(queue, on_message)
        while not done.is_set():
            c.process_data_events(time_limit=0.1)
        c.close()

    started = time.monotonic()
    consumer = threading.Thread(target=consume)
    consumer.start()
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    for _ in range(n):
        ch.basic_publish("", queue, body, props)
    done.wait(300)
    elapsed = time.monotonic() - started
    consumer.join()
    ch.queue_delete(queue)
    conn.close()
    return elapsed


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    system = start_system()
    try:
        intake_db = Database(system.db_urls["intake"])
        escalation_db = Database(system.db_urls["escalation"])
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass

        class OutboxEvent(OutboxMixin, Base):
            pass

        outbox = Outbox(OutboxEvent, source="intake")
        system.proxy.cut()
        with intake_db.session() as session:
            for i in range(args.events):
                outbox.add(session, "intake.visit.recorded", visit_data(i))
        from sqlalchemy import text

        with escalation_db.engine.connect() as conn:
            before = conn.execute(text("SELECT count(*) FROM processed_messages")).scalar()
        started = time.monotonic()
        system.proxy.start()
        published_at = None
        while True:
            with intake_db.engine.connect() as conn:
                pending = conn.execute(text("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")).scalar()
            with escalation_db.engine.connect() as conn:
                handled = conn.execute(text("SELECT count(*) FROM processed_messages")).scalar() - before
            if pending == 0 and published_at is None:
                published_at = time.monotonic() - started
            if pending == 0 and handled >= args.events:
                break
            if time.monotonic() - started > 300:
                raise SystemExit(f"backlog not drained after 300 s: pending={pending} handled={handled}")
            time.sleep(0.05)
        drained = time.monotonic() - started
        body = Envelope.new(type="intake.visit.recorded", source="intake", data=visit_data(0)).to_json().encode()
        settings = load_settings("bench", system.names)
        base = baseline(settings, args.events, body)
        result = {
            "events": args.events,
            "published_s": round(published_at, 2),
            "drained_s": round(drained, 2),
            "baseline_s": round(base, 2),
            "ratio": round(base / drained, 2),
        }
        print(
            f"backlog of {args.events} events: relay published all in {published_at:.2f} s, "
            f"escalation handled all in {drained:.2f} s (goal < 5 s); "
            f"broker-only baseline {base:.2f} s; throughput ratio {base / drained:.2f}"
        )
        goal(
            f"backlog of {args.events:,} events drained after the broker returns",
            f"{drained:.1f} s (relay published all in {published_at:.1f} s)",
            "< 5 s",
            drained < 5,
        )
        return result
    finally:
        system.close()


if __name__ == "__main__":
    main()
