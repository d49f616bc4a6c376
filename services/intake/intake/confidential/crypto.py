"""Encrypting identity fields at rest with a rotatable key list, and blind indexes to find repeats.

Keys come from ``INTAKE_IDENTITY_KEYS`` (comma-separated Fernet keys, newest first).
Values are encrypted with the newest key and decrypted with any of them, so a
new key can be put in front and ``flask --app intake rotate-identity-key``
re-encrypts every row with it before the old key is dropped.

A blind index is an HMAC of a normalised identifier (identity number, or name
and address) under a key derived from an identity key: equal identifiers give
equal indexes, so repeats are found without decrypting, and nothing readable
is stored. Lookups try the index of every configured key, so repeats are still
found between a key change and the rotation that recomputes the indexes.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ..text import fold

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts with the version byte 0x80, base64-encoded


class IdentityKeyError(RuntimeError):
    """No usable identity key: the service refuses to start."""


class IdentityCipher:
    """Encrypts and decrypts identity fields; computes blind indexes."""

    def __init__(self, keys: tuple[str, ...] | list[str]) -> None:
        keys = [k.strip() for k in keys if k and k.strip()]
        if not keys:
            raise IdentityKeyError("INTAKE_IDENTITY_KEYS is empty")
        try:
            self._fernets = [Fernet(k.encode()) for k in keys]
        except (ValueError, TypeError) as exc:
            raise IdentityKeyError("INTAKE_IDENTITY_KEYS holds a key that is not a Fernet key") from exc
        self._multi = MultiFernet(self._fernets)
        self._index_keys = [hmac.new(k.encode(), b"tiepdan-intake-blind-index", hashlib.sha256).digest() for k in keys]

    def encrypt(self, value: str | None) -> str | None:
        """``value`` encrypted with the newest key (None stays None)."""
        if value is None:
            return None
        return self._multi.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        """The clear value; a legacy clear-text value (written before encryption existed) is returned as is."""
        if token is None:
            return None
        if not token.startswith(TOKEN_PREFIX):
            return token
        try:
            return self._multi.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise IdentityKeyError("an identity field was encrypted with a key that is not configured") from exc

    def rotate(self, token: str | None) -> str | None:
        """``token`` re-encrypted with the newest key (legacy clear text gets encrypted)."""
        if token is None:
            return None
        if not token.startswith(TOKEN_PREFIX):
            return self.encrypt(token)
        return self._multi.rotate(token.encode()).decode()

    def encrypt_bytes(self, value: bytes) -> bytes:
        """``value`` (an image) encrypted with the newest key."""
        return self._multi.encrypt(value)

    def decrypt_bytes(self, token: bytes) -> bytes:
        """The clear bytes of an encrypted image."""
        try:
            return self._multi.decrypt(bytes(token))
        except InvalidToken as exc:
            raise IdentityKeyError("an image was encrypted with a key that is not configured") from exc

    def rotate_bytes(self, token: bytes) -> bytes:
        """An encrypted image re-encrypted with the newest key."""
        return self._multi.rotate(bytes(token))

    def indexes(self, kind: str, value: str | None) -> list[str]:
        """The blind index of ``value`` under every configured key, newest first ([] for no value)."""
        normalised = _normalise(kind, value)
        if not normalised:
            return []
        message = f"{kind}:{normalised}".encode()
        return [hmac.new(k, message, hashlib.sha256).hexdigest() for k in self._index_keys]

    def index(self, kind: str, value: str | None) -> str | None:
        """The blind index of ``value`` under the newest key."""
        found = self.indexes(kind, value)
        return found[0] if found else None


def _normalise(kind: str, value: str | None) -> str:
    if not value:
        return ""
    if kind == "id_number":
        return "".join(ch for ch in value if ch.isdigit())
    return fold(value)


def generate_key() -> str:
    """A new random identity key."""
    return Fernet.generate_key().decode()
