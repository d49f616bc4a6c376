"""Notify settings: the shared ones plus notify's own, from the environment."""

from __future__ import annotations

from environs import Env

from tiepdan_common.config import Settings, load_settings


def load(overrides: dict | None = None) -> Settings:
    env = Env()
    extra = {
        # Roster is asked through the gateway, like any client, with notify's own credentials.
        "gateway_url": env.str("NOTIFY_GATEWAY_URL", "http://127.0.0.1:8000"),
        "client_id": env.str("NOTIFY_CLIENT_ID", "svc-notify"),
        "client_secret": env.str("NOTIFY_CLIENT_SECRET", "demo-secret-svc-notify"),
        "roster_timeout": env.float("NOTIFY_ROSTER_TIMEOUT", 2.0),
        # How long an answer of roster's serves further events (never past the end of a shift it names).
        "roster_cache_seconds": env.float("NOTIFY_ROSTER_CACHE_SECONDS", 5.0),
        "roster_sync_seconds": env.float("NOTIFY_ROSTER_SYNC_SECONDS", 600.0),
        # Told when roster cannot answer: the reception board's standing officers.
        "fallback_recipients": tuple(env.list("NOTIFY_FALLBACK_RECIPIENTS", ["btcd-01", "btcd-02", "btcd-03"])),
        "board_agency": env.str("NOTIFY_BOARD_AGENCY", "BTCD"),
        # How a head's title begins in roster (an agency audience with nobody on duty tells its head).
        "head_titles": tuple(
            env.list("NOTIFY_HEAD_TITLES", ["trưởng", "chánh", "chủ tịch", "giám đốc", "bí thư", "chỉ huy trưởng"])
        ),
        # Links in messages point here (the gateway's public address of notify).
        "public_url": env.str("NOTIFY_PUBLIC_URL", "http://127.0.0.1:8000/api/v1/notify"),
        "ack_secret": env.str("NOTIFY_ACK_SECRET", "dev-ack-secret-change-me"),
        "ack_token_days": env.int("NOTIFY_ACK_TOKEN_DAYS", 7),
        # Email.
        "smtp_host": env.str("NOTIFY_SMTP_HOST", "127.0.0.1"),
        "smtp_port": env.int("NOTIFY_SMTP_PORT", 25),
        "smtp_from": env.str("NOTIFY_SMTP_FROM", "Tiếp công dân Mỹ Xuyên <thongbao@myxuyen.example.vn>"),
        "smtp_starttls": env.bool("NOTIFY_SMTP_STARTTLS", False),
        "smtp_username": env.str("NOTIFY_SMTP_USERNAME", None),
        "smtp_password": env.str("NOTIFY_SMTP_PASSWORD", None),
        "smtp_timeout": env.float("NOTIFY_SMTP_TIMEOUT", 10.0),
        # SMS provider: where, in which format (Jinja2 with `to` and `text`), and its callback secret.
        "sms_url": env.str("NOTIFY_SMS_URL", None),
        "sms_body": env.str("NOTIFY_SMS_BODY", '{"to": {{ to|tojson }}, "text": {{ text|tojson }}}'),
        "sms_content_type": env.str("NOTIFY_SMS_CONTENT_TYPE", "application/json; charset=utf-8"),
        "sms_headers": env.json("NOTIFY_SMS_HEADERS", {}),
        "sms_limit": env.int("NOTIFY_SMS_LIMIT", 134),
        "sms_inbound_secrets": tuple(env.list("NOTIFY_SMS_INBOUND_SECRETS", ["dev-sms-inbound-secret"])),
        # Webhooks: {"police": url, "province": url, "commune:31690": url, "commune:*": "https://.../{unit}"}.
        "webhooks": env.json("NOTIFY_WEBHOOKS", {}),
        "webhook_secret": env.str("NOTIFY_WEBHOOK_SECRET", "dev-webhook-secret-change-me"),
        "webhook_secrets": env.json("NOTIFY_WEBHOOK_SECRETS", {}),
        "webhook_timeout": env.float("NOTIFY_WEBHOOK_TIMEOUT", 5.0),
        "sms_timeout": env.float("NOTIFY_SMS_TIMEOUT", 5.0),
        # Deliveries: attempts before a delivery is dead, backoff, how often the worker looks.
        "delivery_max_attempts": env.int("NOTIFY_DELIVERY_MAX_ATTEMPTS", 6),
        "retry_base_seconds": env.float("NOTIFY_RETRY_BASE_SECONDS", 30.0),
        "retry_max_seconds": env.float("NOTIFY_RETRY_MAX_SECONDS", 3600.0),
        "delivery_poll_seconds": env.float("NOTIFY_DELIVERY_POLL_SECONDS", 2.0),
        # Threads of notify-sender, each sending while the others wait for a provider's answer.
        "sender_threads": env.int("NOTIFY_SENDER_THREADS", 4),
        # How much lower notify-sender's CPU priority is (nice): when the CPU is short, recording visits and
        # turning events into inbox messages go first, and the SMS and mail of a burst follow.
        "sender_nice": env.int("NOTIFY_SENDER_NICE", 10),
        # How long a connection to the mail server is kept open for the next mail.
        "smtp_keep_seconds": env.float("NOTIFY_SMTP_KEEP_SECONDS", 30.0),
        "claim_seconds": env.float("NOTIFY_CLAIM_SECONDS", 120.0),
        "stuck_summary_seconds": env.float("NOTIFY_STUCK_SUMMARY_SECONDS", 900.0),
    }
    overrides = dict(overrides or {})
    extra.update(overrides.pop("extra", {}))
    return load_settings("notify", {"extra": extra, **overrides}, env=env)
