"""Configuration from environment variables, with the defaults a local run needs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from environs import Env


@dataclasses.dataclass(frozen=True)
class Settings:
    """Settings every service shares; a service adds its own in ``extra``."""

    service: str
    database_url: str
    amqp_url: str
    exchange: str
    queue_prefix: str
    identity_keys: tuple[str, ...]
    log_level: str
    max_delivery_attempts: int
    relay_poll_seconds: float
    extra: dict = dataclasses.field(default_factory=dict)

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.exchange}.dlx"


def load_settings(service: str, overrides: dict | None = None, *, env: Env | None = None) -> Settings:
    """Read the shared settings from the environment; ``overrides`` wins over the environment."""
    env = env or Env()
    overrides = dict(overrides or {})
    var_dir = Path(env.str("TIEPDAN_VAR_DIR", "var"))
    default_db = f"sqlite:///{(var_dir / f'{service}.db').absolute()}"
    keys = env.list(
        "GATEWAY_IDENTITY_KEYS", [env.str("GATEWAY_IDENTITY_KEY", "dev-identity-key-change-me-0123456789abcdef")]
    )
    values = {
        "service": service,
        # <SERVICE>_DATABASE_URL lets one environment hold every service's database.
        "database_url": env.str(f"{service.upper()}_DATABASE_URL", None) or env.str("DATABASE_URL", default_db),
        "amqp_url": env.str("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
        "exchange": env.str("EVENT_EXCHANGE", "tiepdan.events"),
        "queue_prefix": env.str("QUEUE_PREFIX", "tiepdan"),
        "identity_keys": tuple(keys),
        "log_level": env.str("LOG_LEVEL", "INFO"),
        "max_delivery_attempts": env.int("MAX_DELIVERY_ATTEMPTS", 5),
        "relay_poll_seconds": env.float("OUTBOX_POLL_SECONDS", 0.05),
    }
    extra = overrides.pop("extra", {})
    values.update({k: v for k, v in overrides.items() if k in values})
    unknown = set(overrides) - set(values)
    extra = {**{k: overrides[k] for k in unknown}, **extra}
    return Settings(**values, extra=extra)
