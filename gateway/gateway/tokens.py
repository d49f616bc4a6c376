"""Access tokens: issuing them (EdDSA JWTs) and verifying them cheaply on every proxied request.

A verified token is kept in a bounded LRU cache keyed by the token string until
it expires, together with the identity header the gateway forwards for it, so
that a request pays neither signature verification nor identity signing
except once a while.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tiepdan_common.identity import KINDS, Identity, sign_identity

from .accounts import Principal
from .keys import ALGORITHM, PublishedKey


class TokenError(Exception):
    """The bearer token is missing, malformed, forged, expired or signed by an unknown key."""

    def __init__(self, description: str, *, error: str = "invalid_token") -> None:
        super().__init__(description)
        self.description = description
        self.error = error


class UnknownKeyError(TokenError):
    """The token names a key this process does not know (yet): reload the keys and try again."""

    def __init__(self, kid: str) -> None:
        super().__init__("token signed by an unknown key")
        self.kid = kid


@dataclasses.dataclass(slots=True)
class Caller:
    """A verified token: who calls, until when, and the identity header forwarded for it."""

    kid: str
    token_exp: float
    identity: Identity
    permission_set: frozenset[str]
    identity_header: str = ""
    identity_exp: float = 0.0
    version: int = 0  # the account's token version it was issued under

    @property
    def subject(self) -> str:
        return self.identity.subject

    @property
    def kind(self) -> str:
        return self.identity.kind


class TokenIssuer:
    """Signs access tokens for authenticated principals."""

    def __init__(self, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def issue(
        self, principal: Principal, kid: str, private_key: Ed25519PrivateKey, now: float | None = None
    ) -> tuple[str, int]:
        """A signed token for ``principal`` and its lifetime in seconds."""
        issued = int(now if now is not None else time.time())
        claims = {
            "sub": principal.subject,
            "kind": principal.kind,
            "unit": principal.unit,
            "roles": list(principal.roles),
            "perms": list(principal.permissions),
            "officer": principal.officer,
            "name": principal.name,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": issued,
            "exp": issued + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
            "ver": principal.version,
        }
        token = jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})
        return token, self.ttl_seconds


class TokenVerifier:
    """Verifies bearer tokens against the published keys, with a bounded LRU cache of good ones."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        identity_key: str,
        cache_size: int = 10_000,
        identity_ttl: int = 60,
        identity_refresh_margin: int = 20,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.identity_key = identity_key
        self.cache_size = cache_size
        self.identity_ttl = identity_ttl
        self.identity_refresh_margin = identity_refresh_margin
        self._keys: dict[str, PublishedKey] = {}
        self._versions: dict[str, int] = {}
        self._cache: OrderedDict[str, Caller] = OrderedDict()
        self._jwt = jwt.PyJWT(options={"require": ["exp", "iat", "sub", "kind", "iss", "aud"]})

    # ------------------------------------------------------------------ keys

    def set_keys(self, keys: Iterable[PublishedKey]) -> None:
        """Replace the verification keys; cached tokens of keys no longer published are dropped."""
        self._keys = {key.kid: key for key in keys}
        stale = [token for token, caller in self._cache.items() if caller.kid not in self._keys]
        for token in stale:
            del self._cache[token]

    def set_versions(self, versions: dict[str, int]) -> None:
        """The accounts' current token versions (by subject): a token issued under an older one is refused."""
        self._versions = versions
        stale = [token for token, caller in self._cache.items() if caller.version < versions.get(caller.subject, 0)]
        for token in stale:
            del self._cache[token]

    @property
    def kids(self) -> tuple[str, ...]:
        """The ids of the keys currently accepted."""
        return tuple(self._keys)

    # ------------------------------------------------------------------ verification

    def verify(self, token: str, now: float | None = None) -> Caller:
        """The caller of a valid token, from the cache when possible; raises :class:`TokenError`."""
        now = now if now is not None else time.time()
        cache = self._cache
        caller = cache.get(token)
        if caller is not None:
            if caller.token_exp > now:
                cache.move_to_end(token)
                return caller
            del cache[token]
            raise TokenError("token expired")
        caller = self._decode(token, now)
        versions = self._versions
        if versions and caller.version < versions.get(caller.identity.subject, 0):
            raise TokenError("token revoked: its client or officer was disabled or changed since")
        cache[token] = caller
        if len(cache) > self.cache_size:
            cache.popitem(last=False)
        return caller

    def _decode(self, token: str, now: float) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError("malformed token") from exc
        if header.get("alg") != ALGORITHM:
            raise TokenError("token algorithm not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("token names no key")
        key = self._keys.get(kid)
        if key is None:
            raise UnknownKeyError(kid)
        try:
            claims = self._jwt.decode(
                token, key.public_key, algorithms=[ALGORITHM], audience=self.audience, issuer=self.issuer
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("token expired") from exc
        except jwt.PyJWTError as exc:
            raise TokenError(f"token refused: {exc}") from exc
        if not key.accepts_issued_at(float(claims["iat"])):
            raise TokenError("token issued after its key was retired")
        if claims["kind"] not in KINDS:
            raise TokenError("unknown caller kind")
        perms = claims.get("perms") or []
        roles = claims.get("roles") or []
        version = claims.get("ver", 0)
        if not isinstance(perms, list) or not isinstance(roles, list) or type(version) is not int:
            raise TokenError("malformed claims")
        identity = Identity(
            subject=str(claims["sub"]),
            kind=claims["kind"],
            unit=claims.get("unit"),
            roles=tuple(str(r) for r in roles),
            permissions=tuple(str(p) for p in perms),
            officer=claims.get("officer"),
            name=claims.get("name"),
        )
        return Caller(
            kid=kid,
            token_exp=float(claims["exp"]),
            identity=identity,
            permission_set=frozenset(identity.permissions),
            version=version,
        )

    # ------------------------------------------------------------------ identity for the services

    def identity_header(self, caller: Caller, now: float | None = None) -> str:
        """The signed ``X-Tiepdan-Identity`` for ``caller``, re-signed only when it is about to expire."""
        now = now if now is not None else time.time()
        if caller.identity_header and (
            caller.identity_exp - now >= self.identity_refresh_margin or caller.identity_exp >= caller.token_exp
        ):
            return caller.identity_header
        ttl = max(1, min(self.identity_ttl, int(caller.token_exp - now)))
        caller.identity_header = sign_identity(caller.identity, self.identity_key, ttl=ttl, now=now)
        caller.identity_exp = int(now) + ttl
        return caller.identity_header

    def clear(self) -> None:
        """Forget every cached token."""
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)
