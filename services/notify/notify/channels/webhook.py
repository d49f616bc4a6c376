"""Webhooks to the police, commune and province systems, signed (see :mod:`notify.signing`)."""

from __future__ import annotations

import json

import urllib3

from .. import signing
from . import ChannelError, HttpClient, Outgoing


def payload(out: Outgoing) -> dict:
    """What a receiving system gets: the message in both languages and the event's data."""
    return {
        "message_id": out.message_id,
        "delivery_id": out.delivery_id,
        "event_id": out.event_id,
        "event_type": out.event_type,
        "case_id": out.case_id,
        "urgent": out.urgent,
        "title": out.title,
        "body": out.body,
        "title_en": out.title_en,
        "body_en": out.body_en,
        "data": out.data,
    }


class WebhookChannel:
    """POSTs JSON signed with the receiver's shared secret (``secrets[name]`` or the default)."""

    name = "webhook"

    def __init__(self, *, secret: str, secrets: dict | None = None, timeout: float = 5.0, clock=None) -> None:
        self.secret, self.secrets, self.timeout, self.clock = secret, secrets or {}, timeout, clock
        self.http = HttpClient()

    def send(self, out: Outgoing) -> str:
        body = json.dumps(payload(out), ensure_ascii=False).encode("utf-8")
        secret = self.secrets.get(out.recipient.removeprefix("system:"), self.secret)
        now = self.clock().timestamp() if self.clock else None
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            **signing.sign_headers(secret, body, now=now, delivery_id=out.delivery_id),
        }
        try:
            status, reply = self.http.send("POST", out.address, body, headers, self.timeout)
        except urllib3.exceptions.HTTPError as exc:
            raise ChannelError(f"webhook unreachable: {exc!r}") from exc
        answer = f"{status} {reply[:500]}"
        if status >= 300:
            raise ChannelError(f"webhook refused: {status}", answer)
        return answer
