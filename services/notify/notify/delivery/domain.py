"""Pure delivery rules: when to try again, and which deliveries a ladder makes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable


def backoff_seconds(attempts: int, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter after ``attempts`` failures: half fixed, half random, capped."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + rand() * ceiling / 2


def ladder_plan(steps: list[dict], now: dt.datetime) -> list[tuple[int, str, dt.datetime]]:
    """``(step, channel, due_at)`` for every channel of every step of a ladder, from ``now``."""
    plan = []
    for index, step in enumerate(steps):
        due = now + dt.timedelta(seconds=float(step.get("after_seconds", 0)))
        plan.extend((index, channel, due) for channel in step.get("channels", []))
    return plan


def is_dead(attempts: int, max_attempts: int) -> bool:
    """A delivery that failed ``attempts`` times is given up after ``max_attempts``."""
    return attempts >= max_attempts
