"""Intake settings: the shared ones plus intake's own, from the environment."""

from __future__ import annotations

from pathlib import Path

from environs import Env

from tiepdan_common.config import Settings, load_settings

# A key for local development only, used solely when INTAKE_ALLOW_DEV_IDENTITY_KEY=true.
DEV_IDENTITY_KEY = "ZGV2LW9ubHktaW50YWtlLWlkZW50aXR5LWtleS0wMDA="


def load(overrides: dict | None = None) -> Settings:
    """Shared settings plus intake's ``extra``; keys of ``overrides["extra"]`` win over the environment."""
    env = Env()
    overrides = dict(overrides or {})
    extra = {
        "reference_dir": env.path("REFERENCE_DIR", Path.cwd() / "reference"),
        # Fernet keys for citizens' identity fields, comma-separated, newest first.
        "intake_identity_keys": tuple(env.list("INTAKE_IDENTITY_KEYS", [])),
        "allow_dev_identity_key": env.bool("INTAKE_ALLOW_DEV_IDENTITY_KEY", False),
        "overdue_interval_seconds": env.float("INTAKE_OVERDUE_INTERVAL_SECONDS", 60.0),
        # A petition repeats an earlier one only within this many days after its sender was told of a decision.
        "repeat_window_days": env.int("INTAKE_REPEAT_WINDOW_DAYS", 365),
        # How old the in-process copy of the reference tables may get before its version is checked again.
        "reference_max_age_seconds": env.float("INTAKE_REFERENCE_MAX_AGE_SECONDS", 1.0),
        **overrides.pop("extra", {}),
    }
    return load_settings("intake", {"extra": extra, **overrides}, env=env)


def identity_keys(settings: Settings) -> tuple[str, ...]:
    """The configured identity keys, or the development key when explicitly allowed; else refuse."""
    from .confidential.crypto import IdentityKeyError

    keys = tuple(k for k in settings.extra.get("intake_identity_keys", ()) if k)
    if keys:
        return keys
    if settings.extra.get("allow_dev_identity_key"):
        return (DEV_IDENTITY_KEY,)
    raise IdentityKeyError(
        "intake refuses to start without INTAKE_IDENTITY_KEYS (Fernet keys, comma-separated, newest first); "
        "set INTAKE_ALLOW_DEV_IDENTITY_KEY=true to use the development key on a developer's machine"
    )
