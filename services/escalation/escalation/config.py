"""Escalation settings: the shared ones plus escalation's own, from the environment."""

from __future__ import annotations

from pathlib import Path

from environs import Env

from tiepdan_common.config import Settings, load_settings


def load(overrides: dict | None = None) -> Settings:
    env = Env()
    extra = {
        "reference_dir": env.path("REFERENCE_DIR", Path.cwd() / "reference"),
        # A visit of at least this many citizens opens (or joins) a case.
        "mass_case_size": env.int("ESCALATION_MASS_CASE_SIZE", 5),
        # The local hour (Asia/Ho_Chi_Minh) from which the day's summary is sent.
        "daily_summary_hour": env.int("ESCALATION_DAILY_SUMMARY_HOUR", 17),
        # An open case older than this counts as prolonged (kéo dài) in the report.
        "prolonged_days": env.int("ESCALATION_PROLONGED_DAYS", 30),
        # How often the worker looks for due escalation steps.
        "timer_interval": env.float("ESCALATION_TIMER_SECONDS", 1.0),
        # How escalation asks roster which officers exist (through the gateway, as the svc-escalation client).
        "gateway_url": env.str("ESCALATION_GATEWAY_URL", "http://127.0.0.1:8000"),
        "client_id": env.str("ESCALATION_CLIENT_ID", "svc-escalation"),
        "client_secret": env.str("ESCALATION_CLIENT_SECRET", "demo-secret-svc-escalation"),
        "roster_timeout": env.float("ESCALATION_ROSTER_TIMEOUT", 2.0),
        # Days back a worker that was down catches up on daily summaries not sent.
        "summary_catch_up_days": env.int("ESCALATION_SUMMARY_CATCH_UP_DAYS", 7),
    }
    overrides = dict(overrides or {})
    extra.update(overrides.pop("extra", {}))
    return load_settings("escalation", {"extra": extra, **overrides}, env=env)
