"""Roster settings: the shared ones plus roster's own, each read from its environment variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tiepdan_common.config import Settings, load_settings, setting


@dataclasses.dataclass(frozen=True, kw_only=True)
class RosterSettings(Settings):
    """Roster's own settings: reference data, reminders, coverage look-ahead, calendar freshness, intake."""

    # Relative to the working directory (the repository root under make run); Path is immutable.
    reference_dir: Path = setting("REFERENCE_DIR", Path("reference"))
    # How long before a shift its officers are reminded, and how often the worker looks.
    reminder_minutes: int = setting("ROSTER_REMINDER_MINUTES", 15)
    reminder_poll_seconds: float = setting("ROSTER_REMINDER_POLL_SECONDS", 30.0)
    # How far ahead, and how often, the worker checks coverage and announces new gaps.
    coverage_days: int = setting("ROSTER_COVERAGE_DAYS", 14)
    coverage_poll_seconds: float = setting("ROSTER_COVERAGE_POLL_SECONDS", 600.0)
    # How often an API process checks that its working-day calendar still matches the database copy.
    calendar_max_age_seconds: float = setting("ROSTER_CALENDAR_MAX_AGE_SECONDS", 1.0)
    # Intake's calendar is asked through the gateway, like any client, with roster's own credentials.
    gateway_url: str = setting("ROSTER_GATEWAY_URL", "http://127.0.0.1:8000")
    client_id: str = setting("ROSTER_CLIENT_ID", "svc-roster")
    client_secret: str = setting("ROSTER_CLIENT_SECRET", "demo-secret-svc-roster")
    intake_timeout: float = setting("ROSTER_INTAKE_TIMEOUT", 3.0)
    # A worker that started before the gateway could answer asks intake again this often, until it has.
    catch_up_retry_seconds: float = setting("ROSTER_CATCH_UP_RETRY_SECONDS", 30.0)


def load(overrides: dict | None = None) -> RosterSettings:
    """The roster's settings from the environment; ``overrides`` are by field name and win."""
    return load_settings("roster", overrides, cls=RosterSettings)
