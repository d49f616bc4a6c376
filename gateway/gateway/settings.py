"""The gateway's configuration, read from environment variables into one typed, frozen dataclass.

:class:`GatewaySettings` extends the services' :class:`tiepdan_common.config.Settings`, so that the gateway
and the services agree on the shared values (the identity keys, the log level, the ``var/`` directory, the
clock), and :func:`tiepdan_common.config.load_settings` reads and checks every field at start.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from environs import Env, EnvError

from tiepdan_common.config import Settings, SettingsError, load_settings, setting

from .sealing import DEV_SECRETS_KEY, check_keys
from .upstream import Endpoint

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


@dataclasses.dataclass(frozen=True, kw_only=True)
class GatewaySettings(Settings):
    """Everything the gateway needs to run: the shared settings (identity keys, log level, clock) and its own,
    each read from the environment variable named beside it; ``upstreams`` and ``rate_limits`` are read from one
    variable per service or kind of caller by :func:`load_gateway_settings`."""

    upstreams: tuple[UpstreamSettings, ...] = ()
    rate_limits: Mapping[str, int] = dataclasses.field(default_factory=lambda: DEFAULT_RATE_LIMITS)
    token_ttl_seconds: int = setting("TOKEN_TTL_SECONDS", 900)
    max_body_bytes: int = setting("MAX_BODY_BYTES", 1024 * 1024)
    issuer: str = "tiepdan-gateway"
    audience: str = "tiepdan-api"
    identity_ttl_seconds: int = 60
    identity_refresh_margin_seconds: int = 20
    token_cache_size: int = setting("TOKEN_CACHE_SIZE", 10_000)
    lockout_threshold: int = 5
    lockout_seconds: int = 15 * 60
    argon2_time_cost: int = setting("ARGON2_TIME_COST", 3)
    argon2_memory_kib: int = setting("ARGON2_MEMORY_KIB", 65536)
    argon2_parallelism: int = setting("ARGON2_PARALLELISM", 4)
    auth_threads: int = setting("GATEWAY_AUTH_THREADS", 2)
    pool_limit: int = setting("UPSTREAM_POOL_LIMIT", 100)
    upstream_keepalive_seconds: float = setting("UPSTREAM_KEEPALIVE_SECONDS", 15.0)
    health_timeout: float = setting("HEALTH_TIMEOUT", 2.0)
    openapi_cache_seconds: float = 30.0
    key_refresh_seconds: float = 60.0
    revocation_refresh_seconds: float = setting("TOKEN_REVOCATION_SECONDS", 2.0)
    refresh_lifetime_seconds: int = setting("REFRESH_TOKEN_LIFETIME_SECONDS", 12 * 3600)
    refresh_idle_seconds: int = setting("REFRESH_TOKEN_IDLE_SECONDS", 3600)
    wall_board_lifetime_seconds: int = setting("WALL_BOARD_LIFETIME_SECONDS", 30 * 24 * 3600)
    secrets_keys: tuple[str, ...] = setting("GATEWAY_SECRETS_KEYS", (DEV_SECRETS_KEY,))
    redis_url: str | None = setting("REDIS_URL", "redis://127.0.0.1:6379/0")  # empty: no rate limits
    rate_limit_prefix: str = setting("RATE_LIMIT_PREFIX", "")
    rate_limit_window_seconds: int = setting("RATE_LIMIT_WINDOW_SECONDS", 60)
    rate_limit_token: int = setting("RATE_LIMIT_TOKEN", 30)
    rate_limit_public: int = setting("RATE_LIMIT_PUBLIC", 120)
    rate_limit_flush_seconds: float = setting("RATE_LIMIT_FLUSH_SECONDS", 0.1)
    breaker_failures: int = setting("BREAKER_FAILURES", 5)
    breaker_cooldown_seconds: float = setting("BREAKER_COOLDOWN_SECONDS", 10.0)

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


def read_variable(parse: Callable[[str, Any], Any], variable: str, default: Any) -> Any:
    """One variable through an environs reader; a :class:`SettingsError` naming it when it does not parse."""
    try:
        return parse(variable, default)
    except EnvError as exc:
        raise SettingsError(f"{variable}: {exc}") from None


def _upstreams(env: Env) -> tuple[UpstreamSettings, ...]:
    """Each service's URL (``<SERVICE>_URL``, checked) and timeouts (``<SERVICE>_*_TIMEOUT``, else ``UPSTREAM_*``)."""
    connect_timeout = read_variable(env.float, "UPSTREAM_CONNECT_TIMEOUT", 2.0)
    read_timeout = read_variable(env.float, "UPSTREAM_READ_TIMEOUT", 30.0)
    upstreams = []
    for name, default in DEFAULT_UPSTREAMS.items():
        prefix = name.upper()
        url = read_variable(env.str, f"{prefix}_URL", default).rstrip("/")
        try:
            Endpoint.from_url(url)
        except ValueError as exc:
            raise SettingsError(f"{prefix}_URL: {exc}") from None
        upstreams.append(
            UpstreamSettings(
                name=name,
                url=url,
                connect_timeout=read_variable(env.float, f"{prefix}_CONNECT_TIMEOUT", connect_timeout),
                read_timeout=read_variable(env.float, f"{prefix}_READ_TIMEOUT", read_timeout),
            )
        )
    return tuple(upstreams)


def _rate_limits(env: Env) -> Mapping[str, int]:
    """Requests per window of each kind of caller (``RATE_LIMIT_<KIND>``)."""
    return MappingProxyType(
        {
            kind: read_variable(env.int, f"RATE_LIMIT_{kind.upper()}", limit)
            for kind, limit in DEFAULT_RATE_LIMITS.items()
        }
    )


def load_gateway_settings(overrides: Mapping[str, Any] | None = None, *, env: Env | None = None) -> GatewaySettings:
    """The gateway settings from the environment; ``overrides`` (by field name) win. A value that does not parse
    stops the start with a :class:`SettingsError` naming its variable; an unknown field name is a ``TypeError``."""
    env = env or Env()
    values = dict(overrides or {})
    if "database_url" not in values:
        # GATEWAY_DATABASE_URL only: a DATABASE_URL meant for a service in the same environment is not the gateway's.
        var_dir = Path(read_variable(env.str, "TIEPDAN_VAR_DIR", "var"))
        default = f"sqlite:///{(var_dir / 'gateway.db').absolute()}"
        values["database_url"] = read_variable(env.str, "GATEWAY_DATABASE_URL", default)
    if "upstreams" not in values:
        values["upstreams"] = _upstreams(env)
    if "rate_limits" not in values:
        values["rate_limits"] = _rate_limits(env)
    settings = load_settings(SERVICE_NAME, values, env=env, cls=GatewaySettings)
    if not settings.redis_url:
        settings = dataclasses.replace(settings, redis_url=None)
    try:
        check_keys(settings.secrets_keys)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    if not settings.identity_keys:
        raise SettingsError("GATEWAY_IDENTITY_KEYS: at least one identity key is needed")
    return settings
