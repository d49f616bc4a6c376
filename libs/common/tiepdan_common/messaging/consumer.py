"""Consumers on durable quorum queues: ack after commit, drop duplicates, dead-letter what keeps failing.

A handler receives the session and the envelope. It runs in a transaction that
also records the message id in ``processed_messages``; the message is acked
only after that transaction commits. A redelivered message whose id is already
recorded is acked without running the handler again. A handler that raises is
retried by the broker (the quorum queue counts deliveries) and, past
``max_delivery_attempts``, dead-lettered. A message that can never succeed
(not JSON, no envelope, broken contract, unknown version) goes straight to the
dead-letter queue with its reason in a header.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from collections.abc import Callable

import pika
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..config import Settings
from ..context import correlation_id_var
from ..db import Database
from . import contracts
from .envelope import Envelope, EnvelopeError
from .topology import QueueSpec, connection_parameters, declare_exchanges, declare_queue, queue_name

log = logging.getLogger(__name__)

Handler = Callable[[Session, Envelope], None]


class PermanentFailure(Exception):
    """Raised by a handler for a message that no retry can fix: it is dead-lettered at once."""


@dataclasses.dataclass
class Consumer:
    """A named consumer: the event types it binds and the handler for each."""

    name: str
    handlers: dict[str, Handler]
    versions: tuple[int, ...] = (1,)

    def spec(self, settings: Settings) -> QueueSpec:
        return QueueSpec(name=queue_name(settings, self.name), bindings=tuple(self.handlers))


class ConsumerRunner:
    """Runs one consumer on its own thread and connection, reconnecting with backoff."""

    def __init__(
        self, settings: Settings, db: Database, processed_model, consumer: Consumer, *, prefetch: int = 50
    ) -> None:
        self.settings = settings
        self.db = db
        self.processed_model = processed_model
        self.consumer = consumer
        self.prefetch = prefetch
        self.spec = consumer.spec(settings)
        self.name = f"consumer:{consumer.name}"
        self.handled = 0
        self.duplicates = 0
        self.dead_lettered = 0

    def run(self, stop: threading.Event) -> None:
        delay = 0.2
        while not stop.is_set():
            opened = False
            try:
                connection = pika.BlockingConnection(connection_parameters(self.settings))
                opened = True
                try:
                    self._consume(connection, stop)
                finally:
                    if connection.is_open:
                        connection.close()
            except pika.exceptions.AMQPError as exc:
                log.warning("consumer %s lost the broker: %r", self.consumer.name, exc)
            except Exception:  # noqa: BLE001 - a consumer must outlive any single failure
                log.exception("consumer %s failed", self.consumer.name)
            if stop.is_set():
                break
            delay = 0.2 if opened else min(delay * 2, 10.0)
            stop.wait(delay * (0.5 + random.random()))

    def _consume(self, connection: pika.BlockingConnection, stop: threading.Event) -> None:
        channel = connection.channel()
        declare_exchanges(channel, self.settings)
        declare_queue(channel, self.settings, self.spec)
        # Confirms apply only to the rare dead-letter publishes, which must not be lost before the ack.
        channel.confirm_delivery()
        channel.basic_qos(prefetch_count=self.prefetch)
        channel.basic_consume(queue=self.spec.name, on_message_callback=self._on_message)
        log.info("consumer %s listening on %s", self.consumer.name, self.spec.name)
        while not stop.is_set() and connection.is_open:
            connection.process_data_events(time_limit=0.25)

    # One message.

    def _on_message(self, channel, method, properties, body: bytes) -> None:
        try:
            envelope = self._parse(body, properties)
        except (EnvelopeError, contracts.ContractError, PermanentFailure) as exc:
            self._dead_letter(channel, method, properties, body, str(exc))
            return
        token = correlation_id_var.set(envelope.correlation_id)
        try:
            outcome = self._handle(envelope)
        except PermanentFailure as exc:
            self._dead_letter(channel, method, properties, body, str(exc))
            return
        except Exception as exc:  # noqa: BLE001
            attempts = _delivery_count(properties) + 1
            log.warning(
                "consumer %s failed on %s %s (attempt %d): %r",
                self.consumer.name,
                envelope.type,
                envelope.id,
                attempts,
                exc,
            )
            # Back off a little before the broker delivers it again.
            time.sleep(min(0.05 * 2**attempts, 1.0))
            channel.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
            return
        finally:
            correlation_id_var.reset(token)
        if outcome == "duplicate":
            self.duplicates += 1
        else:
            self.handled += 1
        channel.basic_ack(delivery_tag=method.delivery_tag)

    def _parse(self, body: bytes, properties) -> Envelope:
        envelope = Envelope.from_bytes(body)
        if envelope.type not in self.consumer.handlers:
            raise PermanentFailure(f"no handler for {envelope.type}")
        if envelope.version not in self.consumer.versions:
            raise PermanentFailure(f"unsupported version {envelope.version} of {envelope.type}")
        if properties.message_id and properties.message_id != envelope.id:
            raise PermanentFailure("message_id does not match the envelope id")
        contracts.validate(envelope)
        return envelope

    def _handle(self, envelope: Envelope) -> str:
        model = self.processed_model
        with self.db.sessionmaker() as session:
            seen = session.scalar(
                select(model.message_id).where(model.consumer == self.consumer.name, model.message_id == envelope.id)
            )
            if seen:
                return "duplicate"
            try:
                self.consumer.handlers[envelope.type](session, envelope)
                session.add(model(consumer=self.consumer.name, message_id=envelope.id))
                session.commit()
            except IntegrityError:
                session.rollback()
                # A concurrent replica handled the same message first.
                if session.scalar(
                    select(model.message_id).where(
                        model.consumer == self.consumer.name, model.message_id == envelope.id
                    )
                ):
                    return "duplicate"
                raise
            except BaseException:
                session.rollback()
                raise
        return "handled"

    def _dead_letter(self, channel, method, properties, body: bytes, reason: str) -> None:
        """Publish to the dead-letter exchange with the reason, then ack the original."""
        log.error("consumer %s dead-letters message %s: %s", self.consumer.name, properties.message_id, reason)
        headers = dict(properties.headers or {})
        headers.update(
            {
                "x-tiepdan-reason": reason[:500],
                "x-tiepdan-consumer": self.consumer.name,
                "x-original-routing-key": method.routing_key,
            }
        )
        dead = pika.BasicProperties(
            content_type=properties.content_type,
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=properties.message_id,
            correlation_id=properties.correlation_id,
            type=properties.type,
            headers=headers,
        )
        channel.basic_publish(
            exchange=self.settings.dead_letter_exchange, routing_key=self.spec.name, body=body, properties=dead
        )
        self.dead_lettered += 1
        channel.basic_ack(delivery_tag=method.delivery_tag)


def _delivery_count(properties) -> int:
    headers = properties.headers or {}
    try:
        return int(headers.get("x-delivery-count", 0))
    except (TypeError, ValueError):
        return 0
