"""Secrets at rest (the token signing keys' private halves), encrypted under keys from the environment.

``GATEWAY_SECRETS_KEYS``: Fernet keys (AES-128-CBC and HMAC-SHA256, from ``cryptography``), comma
separated; the first seals, every one opens. Rotation: put a new key first (``new-secrets-key`` prints
one), restart, run ``reseal-signing-keys``, then drop the old key. Without the variable a development
key is used and the gateway says so in its log at start (``make env`` writes a real one in var/local.env).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

DEV_SECRETS_KEY = base64.urlsafe_b64encode(b"tiepdan-development-only-32bytes").decode()
PREFIX = "fernet:"

__all__ = ["DEV_SECRETS_KEY", "InvalidToken", "Sealer", "check_keys", "new_key"]


def new_key() -> str:
    """A fresh random key for ``GATEWAY_SECRETS_KEYS``."""
    return Fernet.generate_key().decode()


def check_keys(keys: Sequence[str]) -> None:
    """A ``ValueError`` naming the variable when a key is not a Fernet key."""
    if not keys:
        raise ValueError("GATEWAY_SECRETS_KEYS: at least one key is needed")
    for index, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(f"GATEWAY_SECRETS_KEYS: key {index + 1} is not a Fernet key (32 bytes, base64)") from None


class Sealer:
    """Seals text under the first key; opens what any key sealed (and text stored before sealing existed)."""

    def __init__(self, keys: Sequence[str]) -> None:
        check_keys(keys)
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self.development = keys[0] == DEV_SECRETS_KEY

    def seal(self, text: str) -> str:
        return PREFIX + self._fernet.encrypt(text.encode()).decode("ascii")

    @staticmethod
    def is_sealed(stored: str) -> bool:
        return stored.startswith(PREFIX)

    def open(self, stored: str) -> str:
        """The text; raises ``InvalidToken`` when no key opens it."""
        if not self.is_sealed(stored):
            return stored  # written before secrets were sealed: ``reseal-signing-keys`` seals it
        return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()

    def reseal(self, stored: str) -> str:
        """The same text sealed under the first key."""
        if not self.is_sealed(stored):
            return self.seal(stored)
        return PREFIX + self._fernet.rotate(stored[len(PREFIX) :].encode("ascii")).decode("ascii")
