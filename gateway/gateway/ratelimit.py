"""Rate limits shared by every gateway process, counted in Redis.

Fixed windows aligned on the clock (``RATE_LIMIT_WINDOW_SECONDS``): the counter
of a key in a window is ``<key>:<window number>``; an atomic Lua script adds the
hits and sets the expiry (the end of the window) on the first one. Keys:

* ``<prefix>client:<subject>`` for a caller with a token, limited by its kind
  (``RATE_LIMIT_<KIND>``);
* ``<prefix>token:<ip>:<client id or user name>`` for ``POST /api/v1/auth/token``
  (``RATE_LIMIT_TOKEN``), so that guessing secrets from one address is slow
  whatever the lockout says;
* ``<prefix>ip:<ip>`` for the public routes (``RATE_LIMIT_PUBLIC``).

Far from its limit, a key costs no wait: after the first hit of a window in a
process (which waits for Redis), a hit is allowed on the count last seen in
Redis plus this process's hits not yet sent, and the hits are sent in
the background, summed, at most every ``flush_interval`` seconds (0.1) (one Redis
call per key and interval, whatever the traffic). Within ``slack`` hits of the
limit every hit waits for Redis, so the limit is exact where it matters; a key
over its limit is refused locally until its window ends. The slack is a tenth
of the limit, at least 10: small limits are always counted exactly. A big
limit may be overshot by what the other processes accept in one flush interval.

When Redis cannot be reached the gateway lets requests through (fails open),
logs a warning at most every 30 s, and does not try Redis again for a few
seconds so that a dead Redis costs no time per request.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

import redis.asyncio as redis_async
from redis.exceptions import RedisError

from .problems import Problem

log = logging.getLogger(__name__)

# KEYS[1] the counter; ARGV[1] its lifetime in milliseconds, ARGV[2] the hits. Answers the count.
_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
"""

_WARN_EVERY = 30.0


class RateLimited(Problem):
    """429 with ``Retry-After``."""

    def __init__(self, retry_after: int, limit: int, window: int) -> None:
        super().__init__(
            429,
            f"Too many requests: at most {limit} in {window} s. Try again in {retry_after} s.",
            code="rate_limited",
            headers={"Retry-After": str(retry_after)},
            extra={"limit": limit, "window_seconds": window, "retry_after": retry_after},
        )


class _Key:
    """What this process knows of one key in the current window."""

    __slots__ = ("blocked_until", "known", "pending", "synced", "window")

    def __init__(self, window: int) -> None:
        self.window = window
        self.synced = False  # the first hit of a window waits for Redis, to learn the other processes' count
        self.known = 0  # the count in Redis when last seen
        self.pending = 0  # hits allowed here and not sent yet
        self.blocked_until = 0.0


class RateLimiter:
    """Counts hits per key in Redis; :meth:`hit` raises :class:`RateLimited` over the limit."""

    def __init__(
        self,
        url: str | None,
        *,
        window_seconds: int = 60,
        prefix: str = "tiepdan:gateway:rl:",
        timeout: float = 0.25,
        retry_after_failure: float = 5.0,
        flush_interval: float = 0.1,
        max_keys: int = 100_000,
    ) -> None:
        self.url = url
        self.window_seconds = window_seconds
        self.prefix = prefix
        self.timeout = timeout
        self.retry_after_failure = retry_after_failure
        self.flush_interval = flush_interval
        self.max_keys = max_keys
        self._redis: redis_async.Redis | None = None
        self._script = None
        self._down_until = 0.0
        self._last_warning = 0.0
        self._keys: dict[str, _Key] = {}
        self._flush: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task] = set()

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    async def start(self) -> None:
        """Make the client (inside the running loop); connections open at first use."""
        if not self.url:
            return
        self._redis = redis_async.Redis.from_url(
            self.url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout, health_check_interval=0
        )
        self._script = self._redis.register_script(_SCRIPT)

    async def close(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        await self._send_pending()
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    # ------------------------------------------------------------------ Redis

    def _usable(self, now: float) -> bool:
        return self._script is not None and now >= self._down_until

    def _failed(self, exc: Exception, now: float) -> None:
        self._down_until = now + self.retry_after_failure
        if now - self._last_warning >= _WARN_EVERY:
            self._last_warning = now
            log.warning("rate limits not enforced: Redis unreachable (%s: %s)", type(exc).__name__, exc)

    async def count(self, key: str, hits: int = 1) -> tuple[int, float] | None:
        """Add ``hits`` to ``key`` in the current window: (count in this window, seconds until it ends),
        or None when Redis is unusable."""
        now = time.monotonic()
        if not self._usable(now):
            return None
        wall = time.time()
        window = self._window(wall)
        left = (window + 1) * self.window_seconds - wall
        try:
            total = await self._script(keys=[f"{self.prefix}{key}:{window}"], args=[int(left * 1000) + 1000, hits])
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(exc, now)
            return None
        return int(total), left

    # ------------------------------------------------------------------ background sending

    def _schedule_flush(self) -> None:
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(self.flush_interval, self._start_flush)

    def _start_flush(self) -> None:
        self._flush = None
        task = asyncio.get_running_loop().create_task(self._send_pending())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _send_pending(self) -> None:
        """Send every key's pending hits, and learn the counts they make."""
        batch = [(key, state, state.pending) for key, state in self._keys.items() if state.pending]
        for _key, state, hits in batch:
            state.pending -= hits
        for key, state, hits in batch:
            if state.window != self._window(time.time()):
                continue  # hits of a window that has ended: nothing left to limit
            counted = await self.count(key, hits)
            if counted is not None:
                state.known = max(state.known, counted[0])

    # ------------------------------------------------------------------ the check

    def _window(self, wall: float) -> int:
        return int(wall // self.window_seconds)

    def _state(self, key: str) -> _Key:
        window = self._window(time.time())
        state = self._keys.get(key)
        if state is None or state.window != window:
            if state is None and len(self._keys) >= self.max_keys:
                self._keys = {k: v for k, v in self._keys.items() if v.window == window and v.pending}
            state = self._keys[key] = _Key(window)
        return state

    async def hit(self, key: str, limit: int) -> None:
        """Count a hit and raise :class:`RateLimited` when ``key`` is over ``limit`` (0 means no limit)."""
        if limit <= 0 or self._script is None:
            return
        now = time.monotonic()
        state = self._state(key)
        if state.blocked_until > now:
            raise RateLimited(max(1, math.ceil(state.blocked_until - now)), limit, self.window_seconds)
        if not self._usable(now):
            return
        slack = max(10, limit // 10)
        if state.synced and state.known + state.pending + 1 <= limit - slack:
            state.pending += 1
            self._schedule_flush()
            return
        hits = state.pending + 1
        state.pending = 0
        counted = await self.count(key, hits)
        if counted is None:
            return
        total, left = counted
        state.known = max(state.known, total)
        state.synced = True
        if total > limit:
            state.blocked_until = now + left
            raise RateLimited(max(1, math.ceil(left)), limit, self.window_seconds)
