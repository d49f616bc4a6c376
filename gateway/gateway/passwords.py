"""Hashing and checking secrets and passwords with argon2id.

Checking is deliberately slow (tens of milliseconds, tens of MiB of memory), so
callers in the event loop run it in the gateway's thread pool.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class SecretHasher:
    """argon2id hashing with the gateway's cost parameters."""

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Checked against when the account does not exist, so that the answer takes as long.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, secret: str) -> str:
        """An argon2id hash of ``secret`` (salted; two calls give different hashes)."""
        return self._hasher.hash(secret)

    def verify(self, hashed: str | None, secret: str) -> bool:
        """True when ``secret`` matches ``hashed``; with no hash, spend the same time and say no."""
        try:
            return self._hasher.verify(hashed or self._dummy, secret) and hashed is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        """True when ``hashed`` was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(hashed)
        except InvalidHashError:
            return True


def generate_secret() -> str:
    """A new random client secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)
