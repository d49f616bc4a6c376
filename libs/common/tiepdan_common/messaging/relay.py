"""The outbox relay: publishes committed events with asynchronous publisher confirms.

It claims a batch of unpublished rows, publishes them all without waiting, and
marks rows published as the broker's (usually multiple) acks arrive. A nack, a
lost connection or a crash leaves rows unpublished; they are claimed again and
republished, and consumers drop the duplicates by message id.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import random
import threading
import time
from typing import Any

import pika
import pika.frame
import psycopg
from pika.channel import Channel
from pika.spec import Basic

from ..config import Settings
from ..db import Database
from ..migrations import OUTBOX_NOTIFY_CHANNEL as NOTIFY_CHANNEL
from . import topology
from .outbox import Outbox
from .topology import connection_parameters, declare_exchanges

log = logging.getLogger(__name__)

# With PostgreSQL's notifications waking the relay, polling is only the safety net.
LISTENING_POLL_SECONDS = 1.0
# Confirmed events are marked published in groups gathered over this long.
MARK_DELAY_SECONDS = 0.01
# A relay that lost its listening connection tries again this often, polling meanwhile.
RELISTEN_SECONDS = 5.0


class OutboxRelay:
    """Runs in its own thread with its own connection (pika objects never cross threads)."""

    name = "outbox-relay"

    def __init__(
        self,
        settings: Settings,
        db: Database,
        outbox: Outbox,
        *,
        batch_size: int = 500,
        max_in_flight: int = 5000,
        claim_seconds: float = 30.0,
    ) -> None:
        self.settings = settings
        self.db = db
        self.outbox = outbox
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.claim_seconds = claim_seconds
        self.published = 0  # confirmed since start, for tests and metrics
        self._in_flight: collections.OrderedDict[int, int] = collections.OrderedDict()
        self._next_tag = 0
        self._connection: pika.SelectConnection | None = None
        self._channel: Channel | None = None
        self._stop: threading.Event | None = None
        self._opened = False
        self._last_purge = dt.datetime.min.replace(tzinfo=dt.UTC)
        self._listener: psycopg.Connection | None = None
        self._timer: object | None = None  # the ioloop's handle of the next tick
        self._woken = False
        self._last_poll = 0.0
        self._last_listen_try = 0.0
        self._acked: list[int] = []
        self._mark_timer: object | None = None

    # Lifecycle.

    def run(self, stop: threading.Event) -> None:
        """Publish until ``stop`` is set, reconnecting with backoff and jitter."""
        self._stop = stop
        delay = 0.2
        while not stop.is_set():
            self._opened = False
            try:
                self._run_connection()
            except Exception:  # the relay must outlive any single failure
                log.exception("outbox relay connection failed")
            self._stop_listening()
            self._mark_timer = None
            self._mark_published()
            self._release_in_flight("connection lost")
            if stop.is_set():
                break
            delay = 0.2 if self._opened else min(delay * 2, topology.RECONNECT_MAX_SECONDS)
            stop.wait(delay * (0.5 + random.random()))

    def _run_connection(self) -> None:
        # A SelectConnection takes one node: each reconnection tries the next one at random.
        self._connection = pika.SelectConnection(
            connection_parameters(self.settings)[0],
            on_open_callback=self._on_connection_open,
            on_open_error_callback=self._on_open_error,
            on_close_callback=self._on_connection_closed,
        )
        self._connection.ioloop.start()

    def _on_open_error(self, connection: pika.SelectConnection, error: BaseException | str) -> None:
        log.warning("outbox relay cannot connect: %s", error)
        connection.ioloop.stop()

    def _on_connection_closed(self, connection: pika.SelectConnection, reason: BaseException) -> None:
        if not (self._stop and self._stop.is_set()):
            log.warning("outbox relay connection closed: %s", reason)
        self._channel = None
        connection.ioloop.stop()

    def _on_connection_open(self, connection: pika.SelectConnection) -> None:
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_channel_open(self, channel: Channel) -> None:
        self._channel = channel
        self._next_tag = 0
        channel.add_on_close_callback(self._on_channel_closed)
        # Declarations are quick and rare; the blocking-style wait is on the ioloop.
        declare_exchanges(_SyncChannel(channel), self.settings)
        channel.confirm_delivery(ack_nack_callback=self._on_confirm, callback=self._on_confirm_ok)

    def _on_confirm_ok(self, _frame: pika.frame.Method) -> None:
        self._opened = True
        self._listen()
        self._woken = True  # read what was committed while the relay was away
        log.info("outbox relay ready%s", " (woken by PostgreSQL notifications)" if self._listener else "")
        self._tick()

    # Being woken by PostgreSQL when events are committed.

    def _listen(self) -> None:
        connection = self._connection
        if not self.db.is_postgresql or self._listener is not None or connection is None:
            return
        self._last_listen_try = time.monotonic()
        # The dialect's own connect arguments carry a multi-host URL's hosts and target_session_attrs.
        cargs, cparams = self.db.engine.dialect.create_connect_args(self.db.engine.url)
        cparams = {**cparams, "autocommit": True, "connect_timeout": 5}
        try:
            listener = psycopg.connect(*cargs, **cparams)
            listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error as exc:
            log.warning("outbox relay cannot listen for notifications, polling instead: %s", exc)
            return
        self._listener = listener
        connection.ioloop.add_handler(listener.fileno(), self._on_notified, connection.ioloop.READ)

    def _on_notified(self, _fd: int, _events: int) -> None:
        listener = self._listener
        if listener is None:  # stopped listening after this event was queued
            return
        try:
            for _ in listener.notifies(timeout=0):
                pass
        except psycopg.Error as exc:
            log.warning("outbox relay stopped listening (polling until reconnected): %s", exc)
            self._stop_listening()
        self._woken = True
        self._schedule(0)

    def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        try:
            if self._connection is not None:
                self._connection.ioloop.remove_handler(listener.fileno())
        except Exception as exc:
            log.debug("listener's handler already gone: %r", exc)
        listener.close()

    def _schedule(self, delay: float) -> None:
        """(Re)arm the one timer that runs the next tick."""
        connection = self._connection
        if connection is None or not connection.is_open:
            return
        if self._timer is not None:
            connection.ioloop.remove_timeout(self._timer)
        self._timer = connection.ioloop.call_later(delay, self._tick)

    def _on_channel_closed(self, channel: Channel, reason: BaseException) -> None:
        log.warning("outbox relay channel closed: %s", reason)
        self._channel = None
        if self._connection and self._connection.is_open:
            self._connection.close()

    # Publishing.

    def _tick(self) -> None:
        self._timer = None
        connection = self._connection
        if connection is None or not connection.is_open:
            return
        if self._stop and self._stop.is_set():
            connection.close()
            return
        delay = self.settings.relay_poll_seconds
        now = time.monotonic()
        # Listening, the outbox is read when a commit wakes the relay, or as a safety net once a second;
        # the short timer only notices a stop request.
        if self._listener is None and now - self._last_listen_try >= RELISTEN_SECONDS:
            self._listen()  # PostgreSQL was restarted, say: listen again, poll meanwhile
        due = self._listener is None or self._woken or now - self._last_poll >= LISTENING_POLL_SECONDS
        try:
            room = self.max_in_flight - len(self._in_flight)
            if due and room > 0 and self._channel is not None:
                self._woken, self._last_poll = False, now
                published = self._publish_batch(self._channel, min(room, self.batch_size))
                if published == self.batch_size:
                    self._woken, delay = True, 0  # a backlog: keep going at once
            self._maybe_purge()
        except Exception:  # the next tick tries again
            log.exception("outbox relay tick failed")
            delay = 1.0
        self._schedule(delay)

    def _publish_batch(self, channel: Channel, limit: int) -> int:
        with self.db.sessionmaker() as session:
            rows = self.outbox.claim(session, limit=limit, claim_seconds=self.claim_seconds)
        for row_id, event_type, payload in rows:
            envelope = json.loads(payload)
            properties = pika.BasicProperties(
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=pika.DeliveryMode.Persistent,
                message_id=envelope.get("id"),
                correlation_id=envelope.get("correlation_id"),
                type=event_type,
                app_id=self.settings.service,
                headers={"version": envelope.get("version", 1)},
            )
            channel.basic_publish(
                exchange=self.settings.exchange,
                routing_key=event_type,
                body=payload.encode("utf-8"),
                properties=properties,
            )
            self._next_tag += 1
            self._in_flight[self._next_tag] = row_id
        return len(rows)

    def _on_confirm(self, frame: pika.frame.Method) -> None:
        method = frame.method
        tags = self._confirmed_tags(method.delivery_tag, method.multiple)
        ids = [self._in_flight.pop(tag) for tag in tags]
        if isinstance(method, Basic.Ack):
            # Acks come a few at a time: mark them published together, a moment later, in one transaction.
            self._acked.extend(ids)
            if self._mark_timer is None and self._connection is not None:
                self._mark_timer = self._connection.ioloop.call_later(MARK_DELAY_SECONDS, self._mark_published)
            if ids and self._woken and self._timer is not None:
                self._schedule(0)  # a backlog waiting for room in the window: go on at once, not at the next poll
        else:
            log.warning("broker refused %d events; they will be published again", len(ids))
            with self.db.sessionmaker() as session:
                self.outbox.release(session, ids, "nacked by broker")

    def _mark_published(self) -> None:
        """Record the confirmed events as published (a crash before this only republishes duplicates)."""
        self._mark_timer = None
        ids, self._acked = self._acked, []
        if not ids:
            return
        try:
            with self.db.sessionmaker() as session:
                self.outbox.mark_published(session, ids)
            self.published += len(ids)
        except Exception:  # their claim expires and they are published again (consumers drop duplicates)
            log.exception("could not mark %d confirmed events published", len(ids))

    def _confirmed_tags(self, tag: int, multiple: bool) -> list[int]:
        if not multiple:
            return [tag] if tag in self._in_flight else []
        return [t for t in self._in_flight if t <= tag]

    def _release_in_flight(self, reason: str) -> None:
        ids = list(self._in_flight.values())
        self._in_flight.clear()
        if not ids:
            return
        try:
            with self.db.sessionmaker() as session:
                self.outbox.release(session, ids, reason)
        except Exception:  # the claim will simply expire
            log.exception("could not release %d claimed events", len(ids))

    def _maybe_purge(self) -> None:
        now = dt.datetime.now(dt.UTC)
        if now - self._last_purge < dt.timedelta(hours=1):
            return
        self._last_purge = now
        with self.db.sessionmaker() as session:
            removed = self.outbox.purge_published(session, older_than=dt.timedelta(days=7))
        if removed:
            log.info("purged %d published outbox events", removed)


class _SyncChannel:
    """Lets the synchronous ``declare_exchanges`` run on an asynchronous channel.

    Each declaration is sent without waiting; RabbitMQ processes a channel's
    methods in order, so publishes sent after them see the declared exchanges.
    """

    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    def exchange_declare(self, **kwargs: Any) -> None:
        self._channel.exchange_declare(callback=lambda _f: None, **kwargs)

    def queue_declare(self, **kwargs: Any) -> None:
        self._channel.queue_declare(callback=lambda _f: None, **kwargs)

    def queue_bind(self, **kwargs: Any) -> None:
        self._channel.queue_bind(callback=lambda _f: None, **kwargs)
