"""Pure delivery rules: when to try again, and which deliveries a ladder makes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol


class MessageState(Protocol):
    """What :func:`proof` reads of a message."""

    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_via: str | None


class DeliveryState(Protocol):
    """What :func:`proof` reads of a delivery."""

    status: str
    channel: str
    sent_at: dt.datetime | None


def backoff_seconds(attempts: int, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter after ``attempts`` failures: half fixed, half random, capped."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + rand() * ceiling / 2


def ladder_plan(steps: list[dict], now: dt.datetime) -> list[tuple[int, str, dt.datetime]]:
    """``(step, channel, due_at)`` for every channel of every step of a ladder, from ``now``."""
    plan: list[tuple[int, str, dt.datetime]] = []
    for index, step in enumerate(steps):
        due = now + dt.timedelta(seconds=float(step.get("after_seconds", 0)))
        plan.extend((index, channel, due) for channel in step.get("channels", []))
    return plan


def proof(message: MessageState, deliveries: Sequence[DeliveryState]) -> dict[str, Any]:
    """Whether one recipient was told: status (acknowledged, delivered, pending, failed), over which channel
    first, and when (``message`` and ``deliveries`` need only their columns' attributes)."""
    sent = sorted(
        (d for d in deliveries if d.status == "sent" and d.sent_at), key=lambda d: d.sent_at or dt.datetime.min
    )
    if message.acknowledged_at is not None:
        status = "acknowledged"
    elif sent:
        status = "delivered"
    elif any(d.status == "pending" for d in deliveries):
        status = "pending"
    else:
        status = "failed"
    first = sent[0] if sent else (deliveries[0] if deliveries else None)
    return {
        "status": status,
        "channel": first.channel if first else None,
        "delivered_at": sent[0].sent_at if sent else None,
        "read_at": message.read_at,
        "acknowledged_at": message.acknowledged_at,
        "acknowledged_via": message.acknowledged_via,
    }


def is_dead(attempts: int, max_attempts: int) -> bool:
    """A delivery that failed ``attempts`` times is given up after ``max_attempts``."""
    return attempts >= max_attempts
