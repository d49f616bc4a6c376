"""HMAC signatures for webhooks and the SMS provider's callbacks, and signed acknowledgement tokens.

A signed request carries ``X-Tiepdan-Timestamp`` (Unix seconds) and ``X-Tiepdan-Signature``
(``v1=`` and the hex HMAC-SHA256 of ``<timestamp>.<body>`` with the shared secret). A receiver
calls :func:`verify`: it refuses a bad signature, and a timestamp outside the tolerance window, so
a captured request cannot be replayed later; giving it a ``seen`` store of delivery ids also refuses
an exact replay inside the window. Pure: no Flask, no database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping, MutableSet

TIMESTAMP_HEADER = "X-Tiepdan-Timestamp"
SIGNATURE_HEADER = "X-Tiepdan-Signature"
DELIVERY_HEADER = "X-Tiepdan-Delivery"
DEFAULT_TOLERANCE = 300


class SignatureError(Exception):
    """The request is not signed by the holder of the secret, or is too old (a replay)."""


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256 of "<timestamp>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def sign_headers(secret: str, body: bytes, *, now: float | None = None, delivery_id: str | None = None) -> dict:
    """The headers that sign ``body`` now."""
    timestamp = int(now if now is not None else time.time())
    headers = {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}
    if delivery_id:
        headers[DELIVERY_HEADER] = delivery_id
    return headers


def _header(headers: Mapping, name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # plain dicts are case-sensitive; HTTP headers are not
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def verify(
    secret: str | list[str] | tuple[str, ...],
    headers: Mapping,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
    seen: MutableSet | None = None,
) -> int:
    """Check a signed request; return its timestamp or raise :class:`SignatureError`.

    ``secret`` may be several (current and previous, while rotating).
    """
    timestamp, given = _header(headers, TIMESTAMP_HEADER), _header(headers, SIGNATURE_HEADER)
    if not timestamp or not given:
        raise SignatureError("missing signature headers")
    try:
        ts = int(timestamp)
    except ValueError as exc:
        raise SignatureError("timestamp is not an integer") from exc
    current = now if now is not None else time.time()
    if abs(current - ts) > tolerance:
        raise SignatureError("timestamp outside the allowed window")
    secrets_ = [secret] if isinstance(secret, str) else list(secret)
    if not any(hmac.compare_digest(signature(s, ts, body), given) for s in secrets_):
        raise SignatureError("signature does not match")
    if seen is not None:
        key = _header(headers, DELIVERY_HEADER) or given
        if key in seen:
            raise SignatureError("already received (replay)")
        seen.add(key)
    return ts


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(secret: str, message_id: str, expires_at: int) -> str:
    """A token naming a message, valid until ``expires_at`` (Unix seconds), for an acknowledgement link."""
    payload = f"{message_id}.{expires_at}".encode()
    mac = hmac.new(secret.encode(), b"ack." + payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(mac)}"


def read_token(secret: str, token: str, *, now: float | None = None) -> str:
    """The message id inside a valid, unexpired token, or :class:`SignatureError`."""
    try:
        payload_part, mac_part = token.split(".", 1)
        payload = _unb64(payload_part)
        mac = _unb64(mac_part)
        message_id, expires = payload.decode().rsplit(".", 1)
        expires_at = int(expires)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SignatureError("malformed token") from exc
    expected = hmac.new(secret.encode(), b"ack." + payload, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(expected, mac):
        raise SignatureError("token signature does not match")
    if (now if now is not None else time.time()) > expires_at:
        raise SignatureError("token expired")
    return message_id
