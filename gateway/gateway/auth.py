"""Issuing tokens: checking credentials, then signing with the current key (synchronous, thread pool)."""

from __future__ import annotations

import dataclasses

from .accounts import AccountStore, Principal
from .keys import KeyStore
from .refresh import RefreshStore
from .tokens import TokenIssuer


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    """A freshly signed access token."""

    token: str
    expires_in: int
    kid: str
    principal: Principal
    refresh_token: str | None = None  # officers only
    refresh_expires_in: int | None = None  # seconds it may stay unused


class Authenticator:
    """Turns credentials into access tokens."""

    def __init__(
        self, accounts: AccountStore, keys: KeyStore, issuer: TokenIssuer, refresh: RefreshStore | None = None
    ) -> None:
        self.accounts = accounts
        self.keys = keys
        self.issuer = issuer
        self.refresh = refresh

    def _issue(self, principal: Principal, refresh_token: str | None = None) -> IssuedToken:
        kid, private_key = self.keys.current()
        token, expires_in = self.issuer.issue(principal, kid, private_key)
        idle = self.refresh.idle_seconds if refresh_token and self.refresh else None
        return IssuedToken(
            token=token,
            expires_in=expires_in,
            kid=kid,
            principal=principal,
            refresh_token=refresh_token,
            refresh_expires_in=idle,
        )

    def client_token(self, client_id: str, client_secret: str) -> IssuedToken:
        """A token for an API client (``client_credentials`` grant)."""
        return self._issue(self.accounts.authenticate_client(client_id, client_secret))

    def user_token(self, username: str, password: str, *, wall_board: bool = False) -> IssuedToken:
        """A token for an officer (``password`` grant), with the first refresh token of a new family."""
        principal = self.accounts.authenticate_user(username, password)
        refresh = None
        if self.refresh is not None:
            refresh = self.refresh.begin(principal.subject, principal.version, wall_board=wall_board)
        return self._issue(principal, refresh)

    def refreshed_token(self, refresh_token: str) -> IssuedToken:
        """A new access token and refresh token for a refresh token (``refresh_token`` grant)."""
        assert self.refresh is not None
        refreshed = self.refresh.rotate(refresh_token)
        return self._issue(refreshed.principal, refreshed.token)
