"""Ed25519 key pairs signing the access tokens.

Keys live in the gateway database, created at first use (never in the source
tree), their private halves sealed under ``GATEWAY_SECRETS_KEYS``
(:mod:`gateway.sealing`). The newest unretired key is *current* and signs new tokens. Rotating
makes a new current key and retires the others; a retired key stays published
in the JWKS, and keeps verifying the tokens it signed, until they have all
expired (``retired_at + token TTL``).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import or_, select, update

from tiepdan_common.db import Database
from tiepdan_common.models import utcnow

from .models import SigningKey
from .sealing import DEV_SECRETS_KEY, Sealer

ALGORITHM = "EdDSA"

# Clock skew allowed between the gateway workers (seconds).
LEEWAY_SECONDS = 5


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    """The public key as an RFC 8037 JWK, its ``kid`` the RFC 7638 thumbprint."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    thumbprint = _b64url(hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest())
    return {**members, "kid": thumbprint, "alg": ALGORITHM, "use": "sig"}


def public_key_from_jwk(jwk: dict) -> Ed25519PublicKey:
    """The Ed25519 public key of an OKP JWK."""
    x = jwk["x"]
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))


@dataclasses.dataclass(frozen=True)
class PublishedKey:
    """A key that verifies tokens: its id, public key and JWK, and when it was retired (if it was)."""

    kid: str
    public_key: Ed25519PublicKey
    jwk: dict
    created_at: dt.datetime
    retired_at: dt.datetime | None

    def accepts_issued_at(self, iat: float) -> bool:
        """A retired key signed nothing after its retirement; refuse tokens claiming otherwise."""
        return self.retired_at is None or iat <= self.retired_at.timestamp() + LEEWAY_SECONDS


class KeyStore:
    """The signing keys in the gateway database (synchronous; call through the thread pool)."""

    def __init__(self, db: Database, token_ttl_seconds: int, secrets_keys: Sequence[str] = (DEV_SECRETS_KEY,)) -> None:
        self.db = db
        self.token_ttl_seconds = token_ttl_seconds
        self.sealer = Sealer(secrets_keys)
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._lock = threading.Lock()

    def _new_key(self, now: dt.datetime) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        jwk = public_jwk(private.public_key())
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        return SigningKey(
            kid=jwk["kid"], algorithm=ALGORITHM, private_key_pem=self.sealer.seal(pem), public_jwk=jwk, created_at=now
        )

    def current(self) -> tuple[str, Ed25519PrivateKey]:
        """The id and private key that sign new tokens, creating the first key when there is none."""
        with self.db.session() as session:
            row = session.execute(
                select(SigningKey.kid, SigningKey.private_key_pem)
                .where(SigningKey.retired_at.is_(None))
                .order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
                .limit(1)
            ).first()
            if row is None:
                key = self._new_key(utcnow())
                session.add(key)
                row = (key.kid, key.private_key_pem)
        kid, pem = row
        with self._lock:
            private = self._private.get(kid)
            if private is None:
                loaded = serialization.load_pem_private_key(self.sealer.open(pem).encode("ascii"), password=None)
                if not isinstance(loaded, Ed25519PrivateKey):
                    raise ValueError(f"signing key {kid} is not an Ed25519 key")
                private = self._private[kid] = loaded
        return kid, private

    def rotate(self, now: dt.datetime | None = None) -> str:
        """Make a new current key and retire every other one; returns the new key's id."""
        now = now or utcnow()
        with self.db.session() as session:
            session.execute(
                update(SigningKey)
                .where(SigningKey.retired_at.is_(None))
                .values(retired_at=now)
                .execution_options(synchronize_session=False)
            )
            key = self._new_key(now)
            session.add(key)
        return key.kid

    def published(self, now: dt.datetime | None = None) -> list[PublishedKey]:
        """Keys that verify tokens now: the current one(s) and retired ones whose tokens may still be alive."""
        now = now or utcnow()
        horizon = now - dt.timedelta(seconds=self.token_ttl_seconds + LEEWAY_SECONDS)
        with self.db.session() as session:
            rows = session.scalars(
                select(SigningKey)
                .where(or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > horizon))
                .order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
            ).all()
        return [
            PublishedKey(
                kid=row.kid,
                public_key=public_key_from_jwk(row.public_jwk),
                jwk=dict(row.public_jwk),
                created_at=row.created_at,
                retired_at=row.retired_at,
            )
            for row in rows
        ]

    def reseal(self) -> int:
        """Seal every key's private half under the first secrets key (after a rotation); how many there were."""
        with self.db.session() as session:
            rows = list(session.scalars(select(SigningKey).with_for_update()))
            for row in rows:
                row.private_key_pem = self.sealer.reseal(row.private_key_pem)
        return len(rows)

    def all_keys(self) -> list[SigningKey]:
        """Every key ever made, newest first (for the admin CLI)."""
        with self.db.session() as session:
            return list(session.scalars(select(SigningKey).order_by(SigningKey.created_at.desc())))
