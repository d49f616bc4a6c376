"""The broker's shape: one durable topic exchange, its alternate exchange, and per-consumer quorum queues.

Declarations are idempotent; every process that needs a part declares it, and
``declare_all`` lets a deploy step create every queue before the first event.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any, Protocol

import pika

from ..config import Settings

# Relays and consumers retry a lost broker with doubling delays up to this (with jitter): a local broker
# that comes back is found within about a second, and a refused connection costs next to nothing.
RECONNECT_MAX_SECONDS = 1.0


class DeclaringChannel(Protocol):
    """What the declarations use of a channel: a blocking one, or the relay's wrapper of an asynchronous one."""

    def exchange_declare(self, **kwargs: Any) -> object: ...

    def queue_declare(self, **kwargs: Any) -> object: ...

    def queue_bind(self, **kwargs: Any) -> object: ...


@dataclasses.dataclass(frozen=True)
class QueueSpec:
    """A consumer's durable quorum queue and the routing keys bound to it."""

    name: str
    bindings: tuple[str, ...]


def broker_urls(settings: Settings) -> tuple[str, ...]:
    """The broker addresses of ``AMQP_URL``: one URL, or several separated by commas for a cluster."""
    return tuple(url.strip() for url in settings.amqp_url.split(",") if url.strip())


def connection_parameters(settings: Settings, *, heartbeat: int = 30) -> list[pika.URLParameters]:
    """Parameters for every broker node, with heartbeats and bounded timeouts, starting at a random node.

    ``pika.BlockingConnection`` takes the list and tries each node in turn; a random start spreads
    the processes of a deployment over a cluster's nodes instead of piling them on the first.
    """
    urls = broker_urls(settings)
    start = random.randrange(len(urls))
    result = []
    for url in urls[start:] + urls[:start]:
        params = pika.URLParameters(url)
        params.heartbeat = heartbeat
        params.blocked_connection_timeout = 60
        params.connection_attempts = 1
        params.socket_timeout = 5
        params.client_properties = {"connection_name": f"{settings.service}"}
        result.append(params)
    return result


def queue_name(settings: Settings, consumer: str) -> str:
    """The queue of a consumer, e.g. ``tiepdan.escalation.intake-events``."""
    return f"{settings.queue_prefix}.{settings.service}.{consumer}"


def unrouted_queue(settings: Settings) -> str:
    return f"{settings.exchange}.unrouted"


def queue_arguments(settings: Settings, name: str) -> dict[str, Any]:
    """Quorum queue whose messages go to the dead-letter exchange after the set number of attempts."""
    return {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": settings.dead_letter_exchange,
        "x-dead-letter-routing-key": name,
        # A message is delivered at most max_delivery_attempts times, then dead-lettered.
        "x-delivery-limit": max(settings.max_delivery_attempts - 1, 0),
    }


def declare_exchanges(channel: DeclaringChannel, settings: Settings) -> None:
    """The event exchange (with an alternate exchange for unroutable events) and the dead-letter exchange."""
    alternate = f"{settings.exchange}.unrouted"
    channel.exchange_declare(exchange=alternate, exchange_type="fanout", durable=True)
    channel.queue_declare(queue=unrouted_queue(settings), durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(queue=unrouted_queue(settings), exchange=alternate)
    channel.exchange_declare(
        exchange=settings.exchange,
        exchange_type="topic",
        durable=True,
        arguments={"alternate-exchange": alternate},
    )
    channel.exchange_declare(exchange=settings.dead_letter_exchange, exchange_type="direct", durable=True)


def declare_queue(channel: DeclaringChannel, settings: Settings, spec: QueueSpec) -> None:
    """A consumer's queue, its bindings, and its dead-letter queue."""
    channel.queue_declare(queue=spec.name, durable=True, arguments=queue_arguments(settings, spec.name))
    for key in spec.bindings:
        channel.queue_bind(queue=spec.name, exchange=settings.exchange, routing_key=key)
    dlq = dead_letter_queue(spec.name)
    channel.queue_declare(queue=dlq, durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(queue=dlq, exchange=settings.dead_letter_exchange, routing_key=spec.name)


def dead_letter_queue(name: str) -> str:
    return f"{name}.dlq"


def declare_all(settings: Settings, specs: list[QueueSpec]) -> None:
    """Declare the exchanges and the given queues over a short-lived connection."""
    connection = pika.BlockingConnection(connection_parameters(settings))
    try:
        channel = connection.channel()
        declare_exchanges(channel, settings)
        for spec in specs:
            declare_queue(channel, settings, spec)
    finally:
        connection.close()


def delete_all(settings: Settings, specs: list[QueueSpec]) -> None:
    """Remove what :func:`declare_all` made (tests clean up after themselves)."""
    connection = pika.BlockingConnection(connection_parameters(settings))
    try:
        channel = connection.channel()
        for spec in specs:
            channel.queue_delete(queue=spec.name)
            channel.queue_delete(queue=dead_letter_queue(spec.name))
        channel.queue_delete(queue=unrouted_queue(settings))
        channel.exchange_delete(exchange=settings.exchange)
        channel.exchange_delete(exchange=f"{settings.exchange}.unrouted")
        channel.exchange_delete(exchange=settings.dead_letter_exchange)
    finally:
        connection.close()
