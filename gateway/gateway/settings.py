"""The gateway's configuration, read from environment variables.

Shared values (the identity keys, the log level, the ``var/`` directory) come
from :func:`tiepdan_common.config.load_settings` so that the gateway and the
services agree on them; the rest is the gateway's own.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from environs import Env

from tiepdan_common.config import load_settings

from .sealing import DEV_SECRETS_KEY, check_keys

SERVICE_NAME = "gateway"

# The services behind the gateway, and where they listen by default.
DEFAULT_UPSTREAMS: Mapping[str, str] = MappingProxyType(
    {
        "intake": "http://127.0.0.1:5101",
        "roster": "http://127.0.0.1:5102",
        "escalation": "http://127.0.0.1:5103",
        "notify": "http://127.0.0.1:5104",
    }
)


# Requests per caller (token subject) and window, by kind of caller; 0 means no limit.
DEFAULT_RATE_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "district": 1200,
        "commune": 600,
        "police": 600,
        "province": 300,
        "admin": 1200,
        "service": 6000,
    }
)


@dataclasses.dataclass(frozen=True)
class UpstreamSettings:
    """One service behind the gateway: its base URL and its timeouts (seconds)."""

    name: str
    url: str
    connect_timeout: float
    read_timeout: float


@dataclasses.dataclass(frozen=True)
class GatewaySettings:
    """Everything the gateway needs to run."""

    database_url: str
    identity_keys: tuple[str, ...]
    upstreams: tuple[UpstreamSettings, ...]
    token_ttl_seconds: int = 900
    max_body_bytes: int = 1024 * 1024
    log_level: str = "INFO"
    issuer: str = "tiepdan-gateway"
    audience: str = "tiepdan-api"
    identity_ttl_seconds: int = 60
    identity_refresh_margin_seconds: int = 20
    token_cache_size: int = 10_000
    lockout_threshold: int = 5
    lockout_seconds: int = 15 * 60
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    auth_threads: int = 2
    pool_limit: int = 100
    upstream_keepalive_seconds: float = 15.0
    health_timeout: float = 2.0
    openapi_cache_seconds: float = 30.0
    key_refresh_seconds: float = 60.0
    revocation_refresh_seconds: float = 2.0
    refresh_lifetime_seconds: int = 12 * 3600
    refresh_idle_seconds: int = 3600
    wall_board_lifetime_seconds: int = 30 * 24 * 3600
    secrets_keys: tuple[str, ...] = (DEV_SECRETS_KEY,)
    redis_url: str | None = None
    rate_limit_prefix: str = ""
    rate_limit_window_seconds: int = 60
    rate_limits: Mapping[str, int] = dataclasses.field(default_factory=lambda: DEFAULT_RATE_LIMITS)
    rate_limit_token: int = 30
    rate_limit_public: int = 120
    rate_limit_flush_seconds: float = 0.1
    breaker_failures: int = 5
    breaker_cooldown_seconds: float = 10.0

    @property
    def rate_limit_key_prefix(self) -> str:
        """Where the counters live in Redis: ``RATE_LIMIT_PREFIX``, else one name per gateway database
        (client ids are unique within one database; two deployments sharing a Redis count apart)."""
        if self.rate_limit_prefix:
            return self.rate_limit_prefix
        digest = hashlib.sha256(self.database_url.encode()).hexdigest()[:12]
        return f"tiepdan:gateway:{digest}:rl:"

    @property
    def identity_key(self) -> str:
        """The key the gateway signs identities with (the first of the shared keys)."""
        return self.identity_keys[0]


def load_gateway_settings(overrides: Mapping[str, Any] | None = None, *, env: Env | None = None) -> GatewaySettings:
    """Read the gateway settings from the environment; ``overrides`` (field names) win."""
    env = env or Env()
    shared = load_settings(SERVICE_NAME, env=env)
    var_dir = Path(env.str("TIEPDAN_VAR_DIR", "var"))
    default_db = f"sqlite:///{(var_dir / 'gateway.db').absolute()}"
    connect_timeout = env.float("UPSTREAM_CONNECT_TIMEOUT", 2.0)
    read_timeout = env.float("UPSTREAM_READ_TIMEOUT", 30.0)
    upstreams = tuple(
        UpstreamSettings(
            name=name,
            url=env.str(f"{name.upper()}_URL", default).rstrip("/"),
            connect_timeout=env.float(f"{name.upper()}_CONNECT_TIMEOUT", connect_timeout),
            read_timeout=env.float(f"{name.upper()}_READ_TIMEOUT", read_timeout),
        )
        for name, default in DEFAULT_UPSTREAMS.items()
    )
    values: dict[str, Any] = {
        "database_url": env.str("GATEWAY_DATABASE_URL", default_db),
        "identity_keys": shared.identity_keys,
        "upstreams": upstreams,
        "token_ttl_seconds": env.int("TOKEN_TTL_SECONDS", 900),
        "max_body_bytes": env.int("MAX_BODY_BYTES", 1024 * 1024),
        "log_level": shared.log_level,
        "token_cache_size": env.int("TOKEN_CACHE_SIZE", 10_000),
        "revocation_refresh_seconds": env.float("TOKEN_REVOCATION_SECONDS", 2.0),
        "refresh_lifetime_seconds": env.int("REFRESH_TOKEN_LIFETIME_SECONDS", 12 * 3600),
        "refresh_idle_seconds": env.int("REFRESH_TOKEN_IDLE_SECONDS", 3600),
        "wall_board_lifetime_seconds": env.int("WALL_BOARD_LIFETIME_SECONDS", 30 * 24 * 3600),
        "secrets_keys": tuple(env.list("GATEWAY_SECRETS_KEYS", [DEV_SECRETS_KEY])),
        "argon2_time_cost": env.int("ARGON2_TIME_COST", 3),
        "argon2_memory_kib": env.int("ARGON2_MEMORY_KIB", 65536),
        "argon2_parallelism": env.int("ARGON2_PARALLELISM", 4),
        "auth_threads": env.int("GATEWAY_AUTH_THREADS", 2),
        "pool_limit": env.int("UPSTREAM_POOL_LIMIT", 100),
        "upstream_keepalive_seconds": env.float("UPSTREAM_KEEPALIVE_SECONDS", 15.0),
        "health_timeout": env.float("HEALTH_TIMEOUT", 2.0),
        "redis_url": env.str("REDIS_URL", "redis://127.0.0.1:6379/0") or None,
        "rate_limit_prefix": env.str("RATE_LIMIT_PREFIX", ""),
        "rate_limit_window_seconds": env.int("RATE_LIMIT_WINDOW_SECONDS", 60),
        "rate_limits": MappingProxyType(
            {kind: env.int(f"RATE_LIMIT_{kind.upper()}", limit) for kind, limit in DEFAULT_RATE_LIMITS.items()}
        ),
        "rate_limit_token": env.int("RATE_LIMIT_TOKEN", 30),
        "rate_limit_public": env.int("RATE_LIMIT_PUBLIC", 120),
        "rate_limit_flush_seconds": env.float("RATE_LIMIT_FLUSH_SECONDS", 0.1),
        "breaker_failures": env.int("BREAKER_FAILURES", 5),
        "breaker_cooldown_seconds": env.float("BREAKER_COOLDOWN_SECONDS", 10.0),
    }
    overrides = dict(overrides or {})
    unknown = set(overrides) - {f.name for f in dataclasses.fields(GatewaySettings)}
    if unknown:
        raise ValueError(f"unknown gateway settings: {sorted(unknown)}")
    values.update(overrides)
    settings = GatewaySettings(**values)
    check_keys(settings.secrets_keys)
    if not settings.identity_keys:
        raise ValueError("at least one identity key is needed (GATEWAY_IDENTITY_KEYS)")
    return settings
