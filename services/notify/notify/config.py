"""Notify settings: the shared ones plus notify's own, each from its ``NOTIFY_...`` environment variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tiepdan_common.config import Settings, load_settings, setting


@dataclasses.dataclass(frozen=True, kw_only=True)
class NotifySettings(Settings):
    # Roster is asked through the gateway, like any client, with notify's own credentials.
    gateway_url: str = setting("NOTIFY_GATEWAY_URL", "http://127.0.0.1:8000")
    client_id: str = setting("NOTIFY_CLIENT_ID", "svc-notify")
    client_secret: str = setting("NOTIFY_CLIENT_SECRET", "demo-secret-svc-notify")
    roster_timeout: float = setting("NOTIFY_ROSTER_TIMEOUT", 2.0)
    # How long an answer of roster's serves further events (never past the end of a shift it names).
    roster_cache_seconds: float = setting("NOTIFY_ROSTER_CACHE_SECONDS", 5.0)
    roster_sync_seconds: float = setting("NOTIFY_ROSTER_SYNC_SECONDS", 600.0)
    # Told when roster cannot answer: the reception board's standing officers.
    fallback_recipients: tuple[str, ...] = setting("NOTIFY_FALLBACK_RECIPIENTS", ("btcd-01", "btcd-02", "btcd-03"))
    board_agency: str = setting("NOTIFY_BOARD_AGENCY", "BTCD")
    # How a head's title begins in roster (an agency audience with nobody on duty tells its head).
    head_titles: tuple[str, ...] = setting(
        "NOTIFY_HEAD_TITLES", ("trưởng", "chánh", "chủ tịch", "giám đốc", "bí thư", "chỉ huy trưởng")
    )
    # Links in messages point here (the gateway's public address of notify).
    public_url: str = setting("NOTIFY_PUBLIC_URL", "http://127.0.0.1:8000/api/v1/notify")
    ack_secret: str = setting("NOTIFY_ACK_SECRET", "dev-ack-secret-change-me")
    ack_token_days: int = setting("NOTIFY_ACK_TOKEN_DAYS", 7)
    # Email.
    smtp_host: str = setting("NOTIFY_SMTP_HOST", "127.0.0.1")
    smtp_port: int = setting("NOTIFY_SMTP_PORT", 25)
    smtp_from: str = setting("NOTIFY_SMTP_FROM", "Tiếp công dân Mỹ Xuyên <thongbao@myxuyen.example.vn>")
    smtp_starttls: bool = setting("NOTIFY_SMTP_STARTTLS", False)
    smtp_username: str | None = setting("NOTIFY_SMTP_USERNAME", None)
    smtp_password: str | None = setting("NOTIFY_SMTP_PASSWORD", None)
    smtp_timeout: float = setting("NOTIFY_SMTP_TIMEOUT", 10.0)
    # SMS provider: where, in which format (Jinja2 with `to` and `text`), and its callback secret.
    sms_url: str | None = setting("NOTIFY_SMS_URL", None)
    sms_body: str = setting("NOTIFY_SMS_BODY", '{"to": {{ to|tojson }}, "text": {{ text|tojson }}}')
    sms_content_type: str = setting("NOTIFY_SMS_CONTENT_TYPE", "application/json; charset=utf-8")
    sms_headers: dict = setting("NOTIFY_SMS_HEADERS", {})
    sms_limit: int = setting("NOTIFY_SMS_LIMIT", 134)
    sms_inbound_secrets: tuple[str, ...] = setting("NOTIFY_SMS_INBOUND_SECRETS", ("dev-sms-inbound-secret",))
    # Webhooks: {"police": url, "province": url, "commune:31690": url, "commune:*": "https://.../{unit}"}.
    webhooks: dict = setting("NOTIFY_WEBHOOKS", {})
    webhook_secret: str = setting("NOTIFY_WEBHOOK_SECRET", "dev-webhook-secret-change-me")
    webhook_secrets: dict = setting("NOTIFY_WEBHOOK_SECRETS", {})
    webhook_timeout: float = setting("NOTIFY_WEBHOOK_TIMEOUT", 5.0)
    sms_timeout: float = setting("NOTIFY_SMS_TIMEOUT", 5.0)
    # Deliveries: attempts before a delivery is dead, backoff, how often the worker looks.
    delivery_max_attempts: int = setting("NOTIFY_DELIVERY_MAX_ATTEMPTS", 6)
    retry_base_seconds: float = setting("NOTIFY_RETRY_BASE_SECONDS", 30.0)
    retry_max_seconds: float = setting("NOTIFY_RETRY_MAX_SECONDS", 3600.0)
    delivery_poll_seconds: float = setting("NOTIFY_DELIVERY_POLL_SECONDS", 2.0)
    # Threads of notify-sender, each sending while the others wait for a provider's answer.
    sender_threads: int = setting("NOTIFY_SENDER_THREADS", 4)
    # How much lower notify-sender's CPU priority is (nice): when the CPU is short, recording visits and
    # turning events into inbox messages go first, and the SMS and mail of a burst follow.
    sender_nice: int = setting("NOTIFY_SENDER_NICE", 10)
    # How long a connection to the mail server is kept open for the next mail.
    smtp_keep_seconds: float = setting("NOTIFY_SMTP_KEEP_SECONDS", 30.0)
    # How long a sender's claim on a delivery lasts before another sender may take it over.
    claim_seconds: float = setting("NOTIFY_CLAIM_SECONDS", 120.0)
    stuck_summary_seconds: float = setting("NOTIFY_STUCK_SUMMARY_SECONDS", 900.0)
    # Where the reference files are (units to seed notify's copy of unit names, fields); found when unset.
    reference_dir: Path | None = setting("REFERENCE_DIR", None)


def load(overrides: dict | None = None) -> NotifySettings:
    """Notify's settings from the environment; ``overrides`` (by field name) win."""
    return load_settings("notify", overrides, cls=NotifySettings)
