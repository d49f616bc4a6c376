"""The gateway's configuration, read from environment variables.

Shared values (the identity keys, the log level, the ``var/`` directory) come
from :func:`tiepdan_common.config.load_settings` so that the gateway and the
services agree on them; the rest is the gateway's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from environs import Env
from tiepdan_common.config import load_settings

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
        "argon2_time_cost": env.int("ARGON2_TIME_COST", 3),
        "argon2_memory_kib": env.int("ARGON2_MEMORY_KIB", 65536),
        "argon2_parallelism": env.int("ARGON2_PARALLELISM", 4),
        "auth_threads": env.int("GATEWAY_AUTH_THREADS", 2),
        "pool_limit": env.int("UPSTREAM_POOL_LIMIT", 100),
        "upstream_keepalive_seconds": env.float("UPSTREAM_KEEPALIVE_SECONDS", 15.0),
        "health_timeout": env.float("HEALTH_TIMEOUT", 2.0),
    }
    overrides = dict(overrides or {})
    unknown = set(overrides) - {f.name for f in dataclasses.fields(GatewaySettings)}
    if unknown:
        raise ValueError(f"unknown gateway settings: {sorted(unknown)}")
    values.update(overrides)
    settings = GatewaySettings(**values)
    if not settings.identity_keys:
        raise ValueError("at least one identity key is needed (GATEWAY_IDENTITY_KEYS)")
    return settings
