"""The dashboard's settings, read from the environment (nothing happens at import time)."""

from __future__ import annotations

import secrets
from pathlib import Path

from environs import Env


def load_config(env: Env | None = None) -> dict:
    """Flask configuration from environment variables, with the defaults a local run needs."""
    env = env or Env()
    var_dir = Path(env.str("TIEPDAN_VAR_DIR", "var")).absolute()
    redis_url = env.str("WEB_REDIS_URL", "")
    config = {
        "GATEWAY_URL": env.str("GATEWAY_URL", "http://127.0.0.1:8000").rstrip("/"),
        "GATEWAY_TIMEOUT": env.float("WEB_GATEWAY_TIMEOUT", 10.0),
        # Flask's key for anything signed; the server-side session ids themselves are random, not signed.
        "SECRET_KEY": env.str("WEB_SECRET_KEY", "") or secrets.token_hex(32),
        "LOG_LEVEL": env.str("LOG_LEVEL", "INFO"),
        "REFRESH_SECONDS": env.int("WEB_REFRESH_SECONDS", 5),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        # Sessions live on the server; the browser holds only a signed, HttpOnly session id.
        "SESSION_PERMANENT": True,
        "PERMANENT_SESSION_LIFETIME": env.int("WEB_SESSION_SECONDS", 12 * 3600),
        "SESSION_COOKIE_NAME": "tiepdan_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.bool("WEB_SECURE_COOKIES", False),
        "SESSION_KEY_PREFIX": env.str("WEB_SESSION_PREFIX", "tiepdan-web:"),
    }
    if redis_url:
        config.update(SESSION_TYPE="redis", SESSION_REDIS_URL=redis_url)
    else:
        config.update(SESSION_TYPE="cachelib", SESSION_DIR=str(var_dir / "web-sessions"))
    return config
