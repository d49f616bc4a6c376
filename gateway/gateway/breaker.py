"""A circuit breaker per upstream service, per gateway process.

* closed: requests go through; each connection failure or timeout adds one to
  a count of failures in a row, any answer of the service resets it;
* open (after ``failures`` in a row): requests are answered 503 at once, with
  no connection attempt, for ``cooldown`` seconds;
* half-open (after the cool-down): one request goes through as a probe; the
  others still get 503. If the probe gets an answer the circuit closes; if it
  fails the circuit opens for another cool-down.
"""

from __future__ import annotations

import logging
import math
import time

from .problems import Problem

log = logging.getLogger(__name__)

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half-open"


class CircuitOpen(Problem):
    """503 answered without trying the service."""

    def __init__(self, service: str, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            503,
            f"The {service} service is unavailable (circuit open after repeated failures).",
            code="service_unavailable",
            headers={"Retry-After": str(seconds)},
            extra={"service": service, "circuit": OPEN},
        )


class CircuitBreaker:
    """State of one upstream as seen by this process. Not thread-safe: used on the event loop only."""

    def __init__(self, name: str, *, failures: int = 5, cooldown: float = 10.0, clock=time.monotonic) -> None:
        self.name = name
        self.threshold = failures
        self.cooldown = cooldown
        self.clock = clock
        self.failures = 0
        self.opened_at = 0.0
        self._state = CLOSED
        self._probe_started = 0.0

    @property
    def state(self) -> str:
        if self._state == OPEN and self.clock() - self.opened_at >= self.cooldown:
            return HALF_OPEN
        return self._state

    def before(self) -> None:
        """Call before sending: raises :class:`CircuitOpen` when the request must not be tried."""
        if self.threshold <= 0 or self._state == CLOSED:
            return
        now = self.clock()
        if self._state == OPEN:
            left = self.opened_at + self.cooldown - now
            if left > 0:
                raise CircuitOpen(self.name, left)
            self._state = HALF_OPEN
            self._probe_started = now
            log.info("circuit of %s half-open: one probe request", self.name)
            return
        # Half-open: one probe at a time; a probe lost without an outcome frees the slot after a cool-down.
        if now - self._probe_started < self.cooldown:
            raise CircuitOpen(self.name, self.cooldown - (now - self._probe_started))
        self._probe_started = now

    def success(self) -> None:
        """The service answered (whatever the status)."""
        if self._state != CLOSED:
            log.warning("circuit of %s closed: the service answers again", self.name)
        self._state = CLOSED
        self.failures = 0

    def failure(self) -> None:
        """A connection failure or a timeout."""
        self.failures += 1
        if self._state == HALF_OPEN or (
            self._state == CLOSED and self.threshold > 0 and self.failures >= self.threshold
        ):
            if self._state == CLOSED:
                log.warning("circuit of %s open after %d failures in a row", self.name, self.failures)
            self._state = OPEN
            self.opened_at = self.clock()
