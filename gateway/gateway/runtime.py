"""The gateway's per-process state: database, account and key stores, token verifier, upstream pools."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp

from tiepdan_common.db import Database
from tiepdan_common.identity import Identity

from .accounts import AccountStore
from .auth import Authenticator
from .breaker import CircuitBreaker
from .keys import KeyStore
from .passwords import SecretHasher
from .ratelimit import RateLimiter
from .refresh import RefreshStore
from .settings import GatewaySettings
from .tokens import Caller, TokenIssuer, TokenVerifier
from .upstream import Endpoint, GuardedConnector, UpstreamClient

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Upstream:
    """A service behind the gateway, ready for the proxy: URL prefix, base URL, address and timeouts."""

    name: str
    base_url: str
    prefix: str
    endpoint: Endpoint
    connect_timeout: float
    read_timeout: float


def build_upstreams(settings: GatewaySettings) -> dict[str, Upstream]:
    """The services by name; a ``ValueError`` naming the variable when a URL is not an http(s) URL."""
    upstreams = {}
    for u in settings.upstreams:
        try:
            endpoint = Endpoint.from_url(u.url)
        except ValueError as exc:
            raise ValueError(f"{u.name.upper()}_URL: {exc}") from None
        upstreams[u.name] = Upstream(
            name=u.name,
            base_url=u.url.rstrip("/"),
            prefix=f"/api/v1/{u.name}",
            endpoint=endpoint,
            connect_timeout=u.connect_timeout,
            read_timeout=u.read_timeout,
        )
    return upstreams


def make_hasher(settings: GatewaySettings) -> SecretHasher:
    """The argon2id hasher with the configured costs."""
    return SecretHasher(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def make_account_store(settings: GatewaySettings, db: Database) -> AccountStore:
    """The account store with the configured hashing and lockout rules."""
    return AccountStore(
        db,
        make_hasher(settings),
        lockout_threshold=settings.lockout_threshold,
        lockout_seconds=settings.lockout_seconds,
    )


# Far in the future: the anonymous caller's "token" never runs out (its signed identity is renewed as any other).
_NEVER = float(2**40)


def anonymous_caller() -> Caller:
    """The caller of a public route: subject ``anonymous``, kind ``service``, no permissions."""
    identity = Identity(subject="anonymous", kind="service")
    return Caller(kid="", token_exp=_NEVER, identity=identity, permission_set=frozenset())


class Gateway:
    """Everything one gateway process holds between requests."""

    def __init__(self, settings: GatewaySettings, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url)
        self.accounts = make_account_store(settings, self.db)
        self.keys = KeyStore(self.db, settings.token_ttl_seconds, settings.secrets_keys)
        if self.keys.sealer.development:
            log.warning("signing keys sealed with the development secrets key: set GATEWAY_SECRETS_KEYS")
        self.issuer = TokenIssuer(
            issuer=settings.issuer, audience=settings.audience, ttl_seconds=settings.token_ttl_seconds
        )
        self.refresh = RefreshStore(
            self.db,
            lifetime_seconds=settings.refresh_lifetime_seconds,
            idle_seconds=settings.refresh_idle_seconds,
            wall_board_seconds=settings.wall_board_lifetime_seconds,
        )
        self.authenticator = Authenticator(self.accounts, self.keys, self.issuer, self.refresh)
        self.verifier = TokenVerifier(
            issuer=settings.issuer,
            audience=settings.audience,
            identity_key=settings.identity_key,
            cache_size=settings.token_cache_size,
            identity_ttl=settings.identity_ttl_seconds,
            identity_refresh_margin=settings.identity_refresh_margin_seconds,
        )
        self.upstreams = build_upstreams(settings)
        self.anonymous = anonymous_caller()
        self.breakers = {
            name: CircuitBreaker(name, failures=settings.breaker_failures, cooldown=settings.breaker_cooldown_seconds)
            for name in self.upstreams
        }
        self.limiter = RateLimiter(
            settings.redis_url,
            window_seconds=settings.rate_limit_window_seconds,
            prefix=settings.rate_limit_key_prefix,
            flush_interval=settings.rate_limit_flush_seconds,
        )
        self.executor = ThreadPoolExecutor(max_workers=settings.auth_threads, thread_name_prefix="gateway-db")
        # Forwarded requests go through ``upstream``; health checks and OpenAPI documents through ``http``.
        self.upstream = UpstreamClient(limit=settings.pool_limit, keepalive=settings.upstream_keepalive_seconds)
        self.http: aiohttp.ClientSession | None = None
        self._refresh_lock: asyncio.Lock | None = None
        self._last_refresh = 0.0
        self._refresher: asyncio.Task | None = None
        self._revocations: asyncio.Task | None = None
        self.keys_loaded = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open the clients of the services, and load the verification keys (inside the running loop)."""
        await self.upstream.start()
        connector = GuardedConnector(  # health and OpenAPI requests: no stray byte is read as an answer either
            limit=self.settings.pool_limit,
            keepalive_timeout=self.settings.upstream_keepalive_seconds,
            ttl_dns_cache=300,
        )
        self.http = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # one session for every caller: never keep cookies
            auto_decompress=False,  # bodies pass through as the service encoded them
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        )
        await self.limiter.start()
        self._refresh_lock = asyncio.Lock()
        try:
            await self.refresh_keys(force=True)
        except Exception:
            log.warning("could not load the signing keys at start", exc_info=True)
        self._refresher = asyncio.get_running_loop().create_task(self._refresh_periodically())
        try:
            await self.refresh_versions()
        except Exception:
            log.warning("could not load the token versions at start", exc_info=True)
        self._revocations = asyncio.get_running_loop().create_task(self._refresh_versions_periodically())

    async def close(self) -> None:
        """Release the pool, the threads and the database connections."""
        for task in (self._refresher, self._revocations):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.upstream.close()
        if self.http is not None:
            await self.http.close()
        await self.limiter.close()
        self.executor.shutdown(wait=True)
        self.db.dispose()

    # ------------------------------------------------------------------ helpers

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking work (database, argon2) in the gateway's thread pool."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def refresh_keys(self, *, force: bool = False, min_interval: float = 1.0) -> bool:
        """Reload the published keys. Unless forced, reloads are at least ``min_interval`` apart: a caller
        coming sooner waits for the next one (so a token of a brand-new key waits, a flood of tokens
        naming unknown keys costs at most one query per interval). True when the keys were reloaded."""
        assert self._refresh_lock is not None, "Gateway.start() was not called"
        requested = time.monotonic()
        async with self._refresh_lock:
            if self._last_refresh >= requested:
                return True  # someone reloaded while we waited
            if not force:
                wait = self._last_refresh + min_interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            published = await self.run_sync(self.keys.published)
            self.verifier.set_keys(published)
            self._last_refresh = time.monotonic()
            self.keys_loaded = True
            return True

    async def _refresh_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.key_refresh_seconds)
            try:
                await self.refresh_keys(force=True)
            except Exception:
                log.warning("could not reload the signing keys", exc_info=True)

    async def refresh_versions(self) -> None:
        """Reload the accounts' token versions: tokens of disabled or changed accounts are refused from now on."""
        self.verifier.set_versions(await self.run_sync(self.accounts.token_versions))

    async def _refresh_versions_periodically(self) -> None:
        # Every process reads the shared database: a change is seen by all within this interval.
        while True:
            await asyncio.sleep(self.settings.revocation_refresh_seconds)
            try:
                await self.refresh_versions()
            except Exception:
                log.warning("could not reload the token versions", exc_info=True)
