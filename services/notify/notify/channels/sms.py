"""SMS through an HTTP provider: the address, method, headers and body format are configuration.

Vietnamese text with its diacritics does not fit the GSM 7-bit alphabet, so it is sent as UCS-2:
70 characters in a single SMS, 67 per part of a concatenated one. The default limit, 134 characters,
is two parts; the acknowledgement code is always kept whole at the end.
"""

from __future__ import annotations

import unicodedata

import urllib3
from jinja2 import Environment, StrictUndefined

from . import ChannelError, HttpClient, Outgoing

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")
DEFAULT_BODY = '{"to": {{ to|tojson }}, "text": {{ text|tojson }}}'


def segments(text: str) -> int:
    """How many SMS parts ``text`` takes (GSM 7-bit when it can, else UCS-2)."""
    if all(ch in GSM7 or ch in GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        return 1 if units <= 160 else -(-units // 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)  # UTF-16 code units
    return 1 if units <= 70 else -(-units // 67)


def sms_text(title: str, code: str, *, limit: int = 134) -> str:
    """The SMS for a message: its title, shortened with "…" if need be, then the code to reply with."""
    suffix = f" Mã XN: {code}" if code else ""
    title = unicodedata.normalize("NFC", " ".join(title.split()))
    room = limit - len(suffix)
    if len(title) > room:
        title = title[: max(room - 1, 0)].rstrip() + "…"
    return title + suffix


class SmsChannel:
    """Posts ``body_template`` (Jinja2, with ``to`` and ``text``) to the provider's URL."""

    name = "sms"

    def __init__(
        self,
        *,
        url: str | None,
        body_template: str = DEFAULT_BODY,
        method: str = "POST",
        content_type: str = "application/json; charset=utf-8",
        headers: dict | None = None,
        limit: int = 134,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.template = Environment(undefined=StrictUndefined, autoescape=False).from_string(body_template)
        self.method = method
        self.headers = {"Content-Type": content_type, **(headers or {})}
        self.limit = limit
        self.timeout = timeout
        self.http = HttpClient()

    def send(self, out: Outgoing) -> str:
        """Hand the SMS to the provider; return its answer or raise :class:`ChannelError`."""
        if not self.url:
            raise ChannelError("no SMS provider configured")
        text = sms_text(out.title, out.ack_code, limit=self.limit)
        body = self.template.render(
            to=out.address, text=text, message_id=out.message_id, delivery_id=out.delivery_id
        ).encode("utf-8")
        try:
            status, reply = self.http.send(self.method, self.url, body, self.headers, self.timeout)
        except urllib3.exceptions.HTTPError as exc:
            raise ChannelError(f"SMS provider unreachable: {exc!r}") from exc
        answer = f"{status} {reply[:500]}"
        if status >= 300:
            raise ChannelError(f"SMS provider refused: {status}", answer)
        return answer
