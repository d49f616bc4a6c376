"""The channels configured in the settings."""

from __future__ import annotations

from ..config import NotifySettings
from .email import EmailChannel
from .sms import SmsChannel
from .webhook import WebhookChannel


def build_channels(settings: NotifySettings) -> dict:
    """``{"sms": ..., "email": ..., "webhook": ...}`` from notify's settings (no SMS without a provider URL:
    its deliveries are then skipped, not retried)."""
    x = settings
    channels = {
        "sms": SmsChannel(
            url=x.sms_url,
            body_template=x.sms_body,
            content_type=x.sms_content_type,
            headers=x.sms_headers,
            limit=x.sms_limit,
            timeout=x.sms_timeout,
        ),
        "email": EmailChannel(
            host=x.smtp_host,
            port=x.smtp_port,
            sender=x.smtp_from,
            timeout=x.smtp_timeout,
            starttls=x.smtp_starttls,
            username=x.smtp_username,
            password=x.smtp_password,
            keep_seconds=x.smtp_keep_seconds,
        ),
        "webhook": WebhookChannel(secret=x.webhook_secret, secrets=x.webhook_secrets, timeout=x.webhook_timeout),
    }
    if not x.sms_url:
        del channels["sms"]
    return channels
