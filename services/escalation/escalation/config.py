"""Escalation settings: the shared ones plus escalation's own, each from its environment variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tiepdan_common.config import Settings, load_settings, setting


@dataclasses.dataclass(frozen=True, kw_only=True)
class EscalationSettings(Settings):
    reference_dir: Path = setting("REFERENCE_DIR", Path("reference"))
    # A visit of at least this many citizens opens (or joins) a case.
    mass_case_size: int = setting("ESCALATION_MASS_CASE_SIZE", 5)
    # The local hour (Asia/Ho_Chi_Minh) from which the day's summary is sent.
    daily_summary_hour: int = setting("ESCALATION_DAILY_SUMMARY_HOUR", 17)
    # An open case older than this counts as prolonged (kéo dài) in the report.
    prolonged_days: int = setting("ESCALATION_PROLONGED_DAYS", 30)
    # How often the worker looks for due escalation steps.
    timer_interval: float = setting("ESCALATION_TIMER_SECONDS", 1.0)
    # How escalation asks roster which officers exist (through the gateway, as the svc-escalation client).
    gateway_url: str = setting("ESCALATION_GATEWAY_URL", "http://127.0.0.1:8000")
    client_id: str = setting("ESCALATION_CLIENT_ID", "svc-escalation")
    client_secret: str = setting("ESCALATION_CLIENT_SECRET", "demo-secret-svc-escalation")
    roster_timeout: float = setting("ESCALATION_ROSTER_TIMEOUT", 2.0)
    # Days back a worker that was down catches up on daily summaries not sent.
    summary_catch_up_days: int = setting("ESCALATION_SUMMARY_CATCH_UP_DAYS", 7)


def load(overrides: dict | None = None) -> EscalationSettings:
    return load_settings("escalation", overrides, cls=EscalationSettings)
