"""Typed configuration from environment variables, with the defaults a local run needs.

Every service has one frozen dataclass of settings: the shared fields below plus its own, each
declared with :func:`setting` naming its environment variable. :func:`load_settings` reads them
all at start and stops with an error naming the variable when a value does not parse, so a
misconfigured process never starts. Tests pass overrides by field name (``{"clock": fake}``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from environs import Env, EnvError

from .clock import Clock, utcnow

ENV_KEY = "env"
DEV_IDENTITY_KEY = "dev-identity-key-change-me-0123456789abcdef"


class SettingsError(SystemExit):
    """A setting that cannot be used; the message names its environment variable."""


def setting(variable: str, default: Any = None, *, doc: str = "") -> Any:
    """A field read from environment ``variable`` (parsed by the field's type), else ``default``."""
    metadata = {ENV_KEY: variable, "doc": doc}
    if isinstance(default, list | dict | set):
        frozen = default
        return dataclasses.field(default_factory=lambda: type(frozen)(frozen), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """Settings every service shares; a service subclasses it with fields of its own."""

    service: str
    database_url: str
    identity_keys: tuple[str, ...]
    amqp_url: str = setting("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    exchange: str = setting("EVENT_EXCHANGE", "tiepdan.events")
    queue_prefix: str = setting("QUEUE_PREFIX", "tiepdan")
    log_level: str = setting("LOG_LEVEL", "INFO")
    max_delivery_attempts: int = setting("MAX_DELIVERY_ATTEMPTS", 5)
    relay_poll_seconds: float = setting("OUTBOX_POLL_SECONDS", 0.05)
    # The service's time: tests pass a tiepdan_common.clock.FakeClock; never read from the environment.
    clock: Clock = dataclasses.field(default=utcnow, compare=False, repr=False)

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.exchange}.dlx"


S = TypeVar("S", bound=Settings)


def _parser(env: Env, annotation: Any) -> Callable[..., Any]:
    """The environs reader for a field's type (``str | None`` reads like ``str``)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _parser(env, members[0])
    if annotation is bool:
        return env.bool
    if annotation is int:
        return env.int
    if annotation is float:
        return env.float
    if annotation is Path:
        return env.path
    if origin is tuple:
        return lambda name, default: _read_tuple(env, name, default)
    if annotation is dict or origin is dict or annotation is list or origin is list:
        return env.json
    return env.str


def _read_tuple(env: Env, name: str, default: Iterable[str] | None) -> tuple[str, ...] | None:
    """A comma list as a tuple; an unset variable whose default is None stays None."""
    if default is None:
        values = env.list(name, None)
        return None if values is None else tuple(values)
    return tuple(env.list(name, list(default)))


def _from_environment(cls: type[Settings], env: Env, skip: set[str]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        variable = field.metadata.get(ENV_KEY)
        if not variable or field.name in skip:
            continue
        default = field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default
        try:
            value = _parser(env, hints[field.name])(variable, default)
        except EnvError as exc:
            raise SettingsError(f"{variable}: {exc}") from None
        values[field.name] = value
    return values


@typing.overload
def load_settings(service: str, overrides: Mapping[str, Any] | None = None, *, env: Env | None = None) -> Settings: ...


@typing.overload
def load_settings(
    service: str, overrides: Mapping[str, Any] | None = None, *, env: Env | None = None, cls: type[S]
) -> S: ...


def load_settings(
    service: str,
    overrides: Mapping[str, Any] | None = None,
    *,
    env: Env | None = None,
    cls: type[Settings] = Settings,
) -> Settings:
    """``cls`` read from the environment; ``overrides`` (by field name) win over the environment."""
    env = env or Env()
    overrides = dict(overrides or {})
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no setting named {', '.join(unknown)}")
    var_dir = Path(env.str("TIEPDAN_VAR_DIR", "var"))
    default_db = f"sqlite:///{(var_dir / f'{service}.db').absolute()}"
    try:
        shared = {
            "service": service,
            # <SERVICE>_DATABASE_URL lets one environment hold every service's database.
            "database_url": env.str(f"{service.upper()}_DATABASE_URL", None) or env.str("DATABASE_URL", default_db),
            "identity_keys": tuple(
                env.list("GATEWAY_IDENTITY_KEYS", [env.str("GATEWAY_IDENTITY_KEY", DEV_IDENTITY_KEY)])
            ),
        }
    except EnvError as exc:
        raise SettingsError(str(exc)) from None
    values = {**shared, **_from_environment(cls, env, skip=set(overrides)), **overrides}
    return cls(**values)
