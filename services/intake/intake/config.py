"""Intake settings: the shared ones plus intake's own, each read from its environment variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tiepdan_common.config import Settings, load_settings, setting

# A key for local development only, used solely when INTAKE_ALLOW_DEV_IDENTITY_KEY=true.
DEV_IDENTITY_KEY = "ZGV2LW9ubHktaW50YWtlLWlkZW50aXR5LWtleS0wMDA="


@dataclasses.dataclass(frozen=True, kw_only=True)
class IntakeSettings(Settings):
    """Intake's settings; the README's Configuration table lists the variables."""

    reference_dir: Path = setting("REFERENCE_DIR", Path("reference"), doc="where `seed` reads reference data")
    intake_identity_keys: tuple[str, ...] = setting(
        "INTAKE_IDENTITY_KEYS", (), doc="Fernet keys for identity fields, comma-separated, newest first"
    )
    allow_dev_identity_key: bool = setting(
        "INTAKE_ALLOW_DEV_IDENTITY_KEY", False, doc="lets a developer's machine run with a fixed development key"
    )
    overdue_interval_seconds: float = setting(
        "INTAKE_OVERDUE_INTERVAL_SECONDS", 60.0, doc="how often the worker looks for overdue petitions"
    )
    repeat_window_days: int = setting(
        "INTAKE_REPEAT_WINDOW_DAYS",
        365,
        doc="a petition repeats an earlier one only within this many days after its sender was told of a decision",
    )
    reference_max_age_seconds: float = setting(
        "INTAKE_REFERENCE_MAX_AGE_SECONDS",
        1.0,
        doc="how old the in-process reference data may get before its version is checked again (0: every request)",
    )


def load(overrides: dict | None = None) -> IntakeSettings:
    """Intake's settings from the environment; ``overrides`` (by field name) win over it."""
    return load_settings("intake", overrides, cls=IntakeSettings)


def identity_keys(settings: IntakeSettings) -> tuple[str, ...]:
    """The configured identity keys, or the development key when explicitly allowed; else refuse."""
    from .confidential.crypto import IdentityKeyError

    keys = tuple(k for k in settings.intake_identity_keys if k)
    if keys:
        return keys
    if settings.allow_dev_identity_key:
        return (DEV_IDENTITY_KEY,)
    raise IdentityKeyError(
        "intake refuses to start without INTAKE_IDENTITY_KEYS (Fernet keys, comma-separated, newest first); "
        "set INTAKE_ALLOW_DEV_IDENTITY_KEY=true to use the development key on a developer's machine"
    )
