"""The dashboard's settings: one frozen dataclass read from the environment at start, checked, then fixed.

The dashboard has no database and no broker, so it does not take ``tiepdan_common.config.Settings``
(whose shared fields are those) nor its ``load_settings``; its fields are declared with the same
``setting(VARIABLE, default)`` and a bad value stops the start with ``SettingsError`` naming the variable.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from environs import Env, EnvError

from tiepdan_common.clock import LOCAL, Clock, utcnow
from tiepdan_common.config import ENV_KEY, SettingsError, setting


@dataclasses.dataclass(frozen=True, kw_only=True)
class WebSettings:
    """What an operator may set; each field names its environment variable."""

    gateway_url: str = setting("GATEWAY_URL", "http://127.0.0.1:8000", doc="the gateway every screen calls")
    gateway_timeout: float = setting("WEB_GATEWAY_TIMEOUT", 10.0, doc="seconds to wait for the gateway")
    secret_key: str = setting("WEB_SECRET_KEY", "", doc="Flask's key, the same on every replica; random if unset")
    log_level: str = setting("LOG_LEVEL", "INFO")
    refresh_seconds: int = setting("WEB_REFRESH_SECONDS", 5, doc="how often the board and the inbox refresh")
    session_seconds: int = setting("WEB_SESSION_SECONDS", 12 * 3600, doc="how long a sign-in's session is kept")
    secure_cookies: bool = setting("WEB_SECURE_COOKIES", False, doc="Secure cookies (behind HTTPS)")
    session_prefix: str = setting("WEB_SESSION_PREFIX", "tiepdan-web:")
    redis_url: str = setting("WEB_REDIS_URL", "", doc="sessions in Redis (several replicas); else files")
    var_dir: Path = setting("TIEPDAN_VAR_DIR", Path("var"))
    session_dir: Path | None = setting("WEB_SESSION_DIR", None, doc="default $TIEPDAN_VAR_DIR/web-sessions")
    # Flask's TESTING (errors raised in the test rather than shown as a page); never from the environment.
    testing: bool = False
    # The dashboard's time: tiepdan_common's (shifted as the services' in a demo run); tests pass a FakeClock.
    clock: Clock = dataclasses.field(default=utcnow, compare=False, repr=False)

    def __post_init__(self) -> None:
        # A key made here when none is set: sessions then last as long as the process (one replica, a local run).
        if not self.secret_key:
            object.__setattr__(self, "secret_key", secrets.token_hex(32))
        object.__setattr__(self, "gateway_url", self.gateway_url.rstrip("/"))
        if self.session_dir is None:
            object.__setattr__(self, "session_dir", Path(self.var_dir).absolute() / "web-sessions")
        self._check()

    def _check(self) -> None:
        url = urlsplit(self.gateway_url)
        _require(self, "gateway_url", url.scheme in ("http", "https") and bool(url.netloc), "an http(s) URL")
        _require(self, "gateway_timeout", 0 < self.gateway_timeout <= 300, "between 0 and 300 seconds")
        _require(self, "secret_key", len(self.secret_key) >= 16, "at least 16 characters (openssl rand -hex 32)")
        _require(self, "log_level", self.log_level.upper() in logging.getLevelNamesMapping(), "a logging level")
        _require(self, "refresh_seconds", 1 <= self.refresh_seconds <= 3600, "between 1 and 3600 seconds")
        _require(self, "session_seconds", 60 <= self.session_seconds <= 31 * 86400, "between 60 s and 31 days")
        redis_scheme = urlsplit(self.redis_url).scheme
        _require(self, "redis_url", not self.redis_url or redis_scheme in ("redis", "rediss", "unix"), "a redis:// URL")

    def flask_config(self) -> dict[str, Any]:
        """The Flask (and Flask-Session, Flask-Babel) configuration these settings make."""
        config: dict[str, Any] = {
            "TESTING": self.testing,
            # Flask's key for anything signed; the server-side session ids themselves are random, not signed.
            "SECRET_KEY": self.secret_key,
            "BABEL_DEFAULT_LOCALE": "vi",
            "BABEL_DEFAULT_TIMEZONE": LOCAL.key,
            # Sessions live on the server; the browser holds only an HttpOnly cookie with a random id.
            "SESSION_PERMANENT": True,
            "PERMANENT_SESSION_LIFETIME": self.session_seconds,
            "SESSION_COOKIE_NAME": "tiepdan_session",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "SESSION_KEY_PREFIX": self.session_prefix,
        }
        if self.redis_url:
            config.update(SESSION_TYPE="redis", SESSION_REDIS_URL=self.redis_url)
        else:
            config.update(SESSION_TYPE="cachelib", SESSION_DIR=str(self.session_dir))
        return config


def _require(settings: WebSettings, name: str, ok: bool, what: str) -> None:
    if not ok:
        field = next(f for f in dataclasses.fields(settings) if f.name == name)
        shown = "(set)" if name == "secret_key" else repr(getattr(settings, name))
        raise SettingsError(f"{field.metadata[ENV_KEY]} must be {what}, not {shown}")


def _reader(env: Env, annotation: Any) -> Callable[..., Any]:
    """The environs reader for a field's type (``X | None`` reads like ``X``)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    readers: dict[Any, Callable[..., Any]] = {bool: env.bool, int: env.int, float: env.float, Path: env.path}
    return readers.get(annotation, env.str)


def load_settings(overrides: Mapping[str, Any] | None = None, *, env: Env | None = None) -> WebSettings:
    """The settings from the environment; ``overrides`` (by field name, as tests pass them) win over it."""
    env = env or Env()
    overrides = dict(overrides or {})
    names = {f.name for f in dataclasses.fields(WebSettings)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"WebSettings has no setting named {', '.join(unknown)}")
    hints = typing.get_type_hints(WebSettings)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(WebSettings):
        variable = field.metadata.get(ENV_KEY)
        if not variable or field.name in overrides:
            continue
        try:
            values[field.name] = _reader(env, hints[field.name])(variable, field.default)
        except EnvError as exc:
            raise SettingsError(f"{variable}: {exc}") from None
    return WebSettings(**values, **overrides)


def current_settings() -> WebSettings:
    """The running app's settings (inside a request or an app context)."""
    from flask import current_app

    return current_app.extensions["tiepdan_web"]["settings"]
