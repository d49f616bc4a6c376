"""Roster settings: the shared ones plus roster's own, from the environment."""

from __future__ import annotations

from pathlib import Path

from environs import Env

from tiepdan_common.config import Settings, load_settings


def load(overrides: dict | None = None) -> Settings:
    """The roster's settings: shared ones and roster's own (reminders, coverage look-ahead)."""
    env = Env()
    extra = {
        "reference_dir": env.path("REFERENCE_DIR", Path.cwd() / "reference"),
        # How long before a shift its officers are reminded, and how often the worker looks.
        "reminder_minutes": env.int("ROSTER_REMINDER_MINUTES", 15),
        "reminder_poll_seconds": env.float("ROSTER_REMINDER_POLL_SECONDS", 30.0),
        # How far ahead, and how often, the worker checks coverage and announces new gaps.
        "coverage_days": env.int("ROSTER_COVERAGE_DAYS", 14),
        "coverage_poll_seconds": env.float("ROSTER_COVERAGE_POLL_SECONDS", 600.0),
        # How often an API process checks that its working-day calendar still matches the database copy.
        "calendar_max_age_seconds": env.float("ROSTER_CALENDAR_MAX_AGE_SECONDS", 1.0),
    }
    overrides = dict(overrides or {})
    extra |= overrides.pop("extra", None) or {}  # a test's extra adds to the defaults, not replaces them
    return load_settings("roster", {"extra": extra, **overrides}, env=env)
