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
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import Basic
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from ..config import Settings
from ..context import correlated, correlation_id_var
from ..db import Database, insert_rows
from ..models import utcnow
from . import contracts, topology
from .envelope import Envelope, EnvelopeError
from .topology import (
    QueueSpec,
    connection_parameters,
    declare_exchanges,
    declare_queue,
    queue_name,
)

log = logging.getLogger(__name__)

Handler = Callable[[Session, Envelope], None]
BatchHandler = Callable[[Session, list[Envelope]], None]
# How one message ended: "handled", "duplicate", or the exception its handler raised.
Outcome = str | Exception

# Events carry identifiers and counts, never documents: anything this big is hostile or broken.
MAX_MESSAGE_BYTES = 256 * 1024


# How long a consumer waits between probes of a database that went away (doubling from 0.2 s).
DATABASE_PROBE_MAX_SECONDS = 2.0


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached (down, failing over, connection cut)."""
    return isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


class DatabaseUnavailable(Exception):
    """The database went away while a batch was handled: its deliveries wait, unsettled, to be handled again."""

    def __init__(self, deliveries: list[Delivery], cause: BaseException) -> None:
        super().__init__(str(cause))
        self.deliveries = deliveries


class PermanentFailure(Exception):
    """Raised by a handler for a message that no retry can fix: it is dead-lettered at once."""


@dataclasses.dataclass
class Consumer:
    """A named consumer: the event types it binds and the handler for each.

    ``batch_handlers`` may give, for an event type, a handler of several messages at
    once that must have the effect of the single handler applied to each in turn; the
    runner uses it for runs of that type in a batch (of those types, in order, when one
    handler is given for several) and falls back to the single handler, message by
    message, when it raises.
    """

    name: str
    handlers: dict[str, Handler]
    versions: tuple[int, ...] = (1,)
    batch_handlers: dict[str, BatchHandler] = dataclasses.field(default_factory=dict)

    def spec(self, settings: Settings) -> QueueSpec:
        return QueueSpec(name=queue_name(settings, self.name), bindings=tuple(self.handlers))


@dataclasses.dataclass
class Delivery:
    """A message as the broker delivered it."""

    method: Basic.Deliver
    properties: pika.BasicProperties
    body: bytes


class ConsumerRunner:
    """Runs one consumer on its own thread and connection, reconnecting with backoff."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        processed_model: type[Any],  # a mapped class with ProcessedMessageMixin
        consumer: Consumer,
        *,
        prefetch: int = 500,
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
            except Exception:  # a consumer must outlive any single failure
                log.exception("consumer %s failed", self.consumer.name)
            if stop.is_set():
                break
            delay = 0.2 if opened else min(delay * 2, topology.RECONNECT_MAX_SECONDS)
            stop.wait(delay * (0.5 + random.random()))

    def _consume(self, connection: pika.BlockingConnection, stop: threading.Event) -> None:
        channel = connection.channel()
        declare_exchanges(channel, self.settings)
        declare_queue(channel, self.settings, self.spec)
        # Confirms apply only to the rare dead-letter publishes, which must not be lost before the ack.
        channel.confirm_delivery()
        channel.basic_qos(prefetch_count=self.prefetch)
        buffer: list[Delivery] = []
        channel.basic_consume(
            queue=self.spec.name, on_message_callback=lambda ch, m, p, b: buffer.append(Delivery(m, p, b))
        )
        log.info("consumer %s listening on %s", self.consumer.name, self.spec.name)
        while not stop.is_set() and connection.is_open:
            # Gather what has arrived, then handle it as one batch: one commit for many messages.
            connection.process_data_events(time_limit=0 if buffer else 0.25)
            # One call reads at most 100 KiB (pika's limit per read, about 120 of intake's events);
            # take everything already there, up to the prefetch, without waiting for more.
            while 0 < len(buffer) < self.prefetch:
                had = len(buffer)
                connection.process_data_events(time_limit=0)
                if len(buffer) == had:
                    break
            if buffer:
                batch, buffer[:] = list(buffer), []
                try:
                    self._handle_batch(channel, batch)
                except DatabaseUnavailable as exc:
                    # Nothing of the batch was settled: keep its deliveries (so no attempt is spent on an
                    # outage, and nothing is dead-lettered for it) and handle them once the database answers.
                    log.warning(
                        "consumer %s: the database is unreachable (%s); waiting for it", self.consumer.name, exc
                    )
                    self._wait_for_database(connection, stop)
                    buffer[:0] = exc.deliveries

    # A batch of messages.

    def _handle_batch(self, channel: BlockingChannel, batch: list[Delivery]) -> None:
        parsed: list[tuple[Delivery, Envelope]] = []
        for delivery in batch:
            try:
                parsed.append((delivery, self._parse(delivery.body, delivery.properties)))
            except (EnvelopeError, contracts.ContractError, PermanentFailure) as exc:
                self._dead_letter(channel, delivery, str(exc))
        if not parsed:
            return
        try:
            outcomes = self._run_batch(parsed)
        except IntegrityError:
            # A replica committed some of these first: settle them one by one.
            outcomes = {id(d): self._run_one(e) for d, e in parsed}
        except Exception as exc:
            if database_unreachable(exc) and not self._database_answers():
                raise DatabaseUnavailable([d for d, _ in parsed], exc) from exc
            raise
        lost = next((o for o in outcomes.values() if isinstance(o, Exception) and database_unreachable(o)), None)
        # An error of that kind while the database answers (SQLite's "no such table", say) is the message's own.
        if lost is not None and not self._database_answers():
            raise DatabaseUnavailable([d for d, _ in parsed], lost)
        done = []
        for delivery, envelope in parsed:
            outcome = outcomes[id(delivery)]
            if isinstance(outcome, PermanentFailure):
                self._dead_letter(channel, delivery, str(outcome))
            elif isinstance(outcome, Exception):
                self._retry_later(channel, delivery, envelope, outcome)
            else:
                if outcome == "duplicate":
                    self.duplicates += 1
                else:
                    self.handled += 1
                done.append(delivery.method.delivery_tag)
        if done:
            # One ack for the batch: every earlier delivery on this channel is settled already (acked, or
            # nacked or dead-lettered just above), so "multiple" up to the newest covers exactly these.
            channel.basic_ack(delivery_tag=max(done), multiple=True)

    def _run_batch(self, parsed: list[tuple[Delivery, Envelope]]) -> dict[int, Outcome]:
        """Handle every message in one transaction, all in one savepoint if they can be; commit once.

        If any of them raises, the savepoint is rolled back and they are handled again: runs of one
        type with a batch handler together, every other message alone in its own savepoint.
        """
        outcomes: dict[int, Outcome] = {}
        with self.db.sessionmaker() as session:
            seen = self._processed(session, [e.id for _, e in parsed])
            fresh = []
            for delivery, envelope in parsed:
                if envelope.id in seen:
                    outcomes[id(delivery)] = "duplicate"
                else:
                    seen.add(envelope.id)
                    fresh.append((delivery, envelope))
            if len(fresh) > 1 and self._run_together(session, fresh):
                outcomes.update((id(d), "handled") for d, _ in fresh)
                fresh = []
            for run in _runs(fresh, self.consumer.batch_handlers):
                if len(run) > 1 and self._run_together(session, run):
                    outcomes.update((id(d), "handled") for d, _ in run)
                    continue
                for delivery, envelope in run:
                    outcomes[id(delivery)] = self._run_alone(session, envelope, only=len(fresh) == 1)
            session.commit()
        return outcomes

    def _run_together(self, session: Session, items: list[tuple[Delivery, Envelope]]) -> bool:
        """Messages in order in one savepoint, one flush and one insert of their ids; False (rolled back) if one raised.

        A run of one type with a batch handler goes through it; any other message through its handler.
        """
        envelopes = [e for _, e in items]
        savepoint = session.begin_nested()
        try:
            for run in _runs(items, self.consumer.batch_handlers):
                kind = run[0][1].type
                if kind in self.consumer.batch_handlers:
                    self.consumer.batch_handlers[kind](session, [e for _, e in run])
                    continue
                for _, envelope in run:
                    with correlated(envelope.correlation_id):
                        self.consumer.handlers[kind](session, envelope)
            session.flush()
            now = utcnow()
            insert_rows(
                session,
                self.processed_model.__table__,
                [{"consumer": self.consumer.name, "message_id": e.id, "processed_at": now} for e in envelopes],
            )
            savepoint.commit()
            return True
        except IntegrityError:
            savepoint.rollback()
            raise
        except Exception:  # each message is tried again, and settled on its own
            savepoint.rollback()
            log.warning(
                "consumer %s: a batch of %d messages failed; handling them again, apart",
                self.consumer.name,
                len(envelopes),
                exc_info=True,
            )
            return False

    def _run_alone(self, session: Session, envelope: Envelope, *, only: bool = False) -> Outcome:
        """One message in its own savepoint: "handled", or the exception it raised (IntegrityError propagates).

        ``only``: the transaction holds nothing else, so it needs no savepoint (two statements fewer, for
        every message that comes alone); a failure rolls the transaction back instead.
        """
        token = correlation_id_var.set(envelope.correlation_id)
        scope = session if only else session.begin_nested()
        try:
            self.consumer.handlers[envelope.type](session, envelope)
            session.add(self.processed_model(consumer=self.consumer.name, message_id=envelope.id))
            session.flush()
            if not only:
                scope.commit()
            return "handled"
        except IntegrityError:
            scope.rollback()
            raise
        except Exception as exc:
            scope.rollback()
            return exc
        finally:
            correlation_id_var.reset(token)

    def _run_one(self, envelope: Envelope) -> Outcome:
        """Handle one message in its own transaction: its outcome, or the exception it raised."""
        token = correlation_id_var.set(envelope.correlation_id)
        try:
            return self._handle(envelope)
        except Exception as exc:
            return exc
        finally:
            correlation_id_var.reset(token)

    def _database_answers(self) -> bool:
        try:
            self.db.ping()
            return True
        except Exception:
            return False

    def _wait_for_database(self, connection: pika.BlockingConnection, stop: threading.Event) -> None:
        """Probe the database until it answers, keeping the broker connection alive meanwhile."""
        delay = 0.2
        while not stop.is_set() and connection.is_open:
            connection.sleep(delay)  # processes heartbeats: the broker keeps the unsettled deliveries with us
            try:
                self.db.ping()
            except Exception:
                delay = min(delay * 2, DATABASE_PROBE_MAX_SECONDS)
                continue
            self.db.engine.dispose()  # connections to the old server are dead: start afresh
            log.info("consumer %s: the database answers again", self.consumer.name)
            return

    def _retry_later(self, channel: BlockingChannel, delivery: Delivery, envelope: Envelope, exc: Exception) -> None:
        attempts = _delivery_count(delivery.properties) + 1
        log.warning(
            "consumer %s failed on %s %s (attempt %d): %r",
            self.consumer.name,
            envelope.type,
            envelope.id,
            attempts,
            exc,
        )
        # Back off a little before the broker delivers it again; past the limit it is dead-lettered.
        time.sleep(min(0.05 * 2**attempts, 1.0))
        channel.basic_nack(delivery_tag=delivery.method.delivery_tag, requeue=True)

    def _parse(self, body: bytes, properties: pika.BasicProperties) -> Envelope:
        if len(body) > MAX_MESSAGE_BYTES:
            raise PermanentFailure(f"message of {len(body)} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")
        envelope = Envelope.from_bytes(body)
        if envelope.type not in self.consumer.handlers:
            raise PermanentFailure(f"no handler for {envelope.type}")
        if envelope.version not in self.consumer.versions:
            raise PermanentFailure(f"unsupported version {envelope.version} of {envelope.type}")
        if properties.message_id and properties.message_id != envelope.id:
            raise PermanentFailure("message_id does not match the envelope id")
        contracts.validate(envelope)
        return envelope

    def _processed(self, session: Session, ids: list[str]) -> set[str]:
        """Which of these message ids this consumer has already handled."""
        model = self.processed_model
        return set(
            session.scalars(
                select(model.message_id).where(model.consumer == self.consumer.name, model.message_id.in_(ids))
            )
        )

    def _handle(self, envelope: Envelope) -> str:
        with self.db.sessionmaker() as session:
            if self._processed(session, [envelope.id]):
                return "duplicate"
            try:
                self.consumer.handlers[envelope.type](session, envelope)
                session.add(self.processed_model(consumer=self.consumer.name, message_id=envelope.id))
                session.commit()
            except IntegrityError:
                session.rollback()
                # A concurrent replica handled the same message first.
                if self._processed(session, [envelope.id]):
                    return "duplicate"
                raise
            except BaseException:
                session.rollback()
                raise
        return "handled"

    def _dead_letter(self, channel: BlockingChannel, delivery: Delivery, reason: str) -> None:
        """Publish to the dead-letter exchange with the reason, then ack the original."""
        method, properties, body = delivery.method, delivery.properties, delivery.body
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


def _runs(
    items: list[tuple[Delivery, Envelope]], batched: dict[str, BatchHandler]
) -> list[list[tuple[Delivery, Envelope]]]:
    """Split messages, in order, into runs: consecutive messages whose types have one and the same batch
    handler go together (a handler given for several types takes them mixed, in their order)."""
    runs: list[list[tuple[Delivery, Envelope]]] = []
    for item in items:
        kind = item[1].type
        last = runs[-1][0][1].type if runs else None
        if kind in batched and last in batched and batched[last] is batched[kind]:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _delivery_count(properties: pika.BasicProperties) -> int:
    headers = properties.headers or {}
    try:
        return int(headers.get("x-delivery-count", 0))
    except (TypeError, ValueError):
        return 0
