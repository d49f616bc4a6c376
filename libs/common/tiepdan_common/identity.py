"""The gateway-signed identity that every service demands of every request.

The gateway verifies the caller's token, then forwards a short-lived JWT in
``X-Tiepdan-Identity`` signed with a key it shares with the services. A request
that did not come through the gateway has no such header, or one that does not
verify, and is answered 401.
"""

from __future__ import annotations

import dataclasses
import time
from functools import lru_cache

import jwt

IDENTITY_HEADER = "X-Tiepdan-Identity"
IDENTITY_AUDIENCE = "tiepdan-services"
IDENTITY_ISSUER = "tiepdan-gateway"
ALGORITHM = "HS256"

KINDS = ("district", "commune", "police", "province", "admin", "service")


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who is calling: kind of client, its unit, its roles and permissions."""

    subject: str
    kind: str
    unit: str | None = None
    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    officer: str | None = None
    name: str | None = None

    def has(self, permission: str) -> bool:
        """True when the caller holds ``permission`` (admins hold all)."""
        return self.kind == "admin" or permission in self.permissions

    @property
    def is_commune(self) -> bool:
        return self.kind == "commune"

    def claims(self) -> dict:
        return {
            "sub": self.subject,
            "kind": self.kind,
            "unit": self.unit,
            "roles": list(self.roles),
            "perms": list(self.permissions),
            "officer": self.officer,
            "name": self.name,
        }

    @classmethod
    def from_claims(cls, claims: dict) -> Identity:
        return cls(
            subject=claims["sub"],
            kind=claims["kind"],
            unit=claims.get("unit"),
            roles=tuple(claims.get("roles") or ()),
            permissions=tuple(claims.get("perms") or ()),
            officer=claims.get("officer"),
            name=claims.get("name"),
        )


class IdentityError(Exception):
    """The identity header is missing, forged or expired."""


def sign_identity(identity: Identity, key: str, *, ttl: int = 60, now: float | None = None) -> str:
    """Sign ``identity`` for the services, valid ``ttl`` seconds."""
    issued = int(now if now is not None else time.time())
    payload = identity.claims() | {
        "iss": IDENTITY_ISSUER,
        "aud": IDENTITY_AUDIENCE,
        "iat": issued,
        "exp": issued + ttl,
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM)


class IdentityVerifier:
    """Verifies identity headers against the current and previous keys, caching good ones briefly."""

    def __init__(self, keys: tuple[str, ...] | list[str]) -> None:
        if not keys:
            raise ValueError("at least one identity key is needed")
        self.keys = tuple(keys)
        self._cached = lru_cache(maxsize=4096)(self._decode)

    def _decode(self, token: str) -> tuple[Identity, int]:
        last_error: Exception | None = None
        for key in self.keys:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[ALGORITHM],
                    audience=IDENTITY_AUDIENCE,
                    issuer=IDENTITY_ISSUER,
                    options={"require": ["exp", "iat", "sub", "kind"]},
                )
            except jwt.InvalidSignatureError as exc:
                last_error = exc
                continue
            except jwt.PyJWTError as exc:
                raise IdentityError(str(exc)) from exc
            if claims["kind"] not in KINDS:
                raise IdentityError("unknown caller kind")
            return Identity.from_claims(claims), int(claims["exp"])
        raise IdentityError(str(last_error or "signature does not verify"))

    def verify(self, token: str | None) -> Identity:
        """Return the identity in ``token`` or raise :class:`IdentityError`."""
        if not token:
            raise IdentityError("no gateway identity")
        try:
            identity, exp = self._cached(token)
        except IdentityError:
            raise
        if exp < time.time():
            raise IdentityError("gateway identity expired")
        return identity
