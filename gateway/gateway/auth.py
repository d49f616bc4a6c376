"""Issuing tokens: checking credentials, then signing with the current key (synchronous, thread pool)."""

from __future__ import annotations

import dataclasses

from .accounts import AccountStore, Principal
from .keys import KeyStore
from .tokens import TokenIssuer


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    """A freshly signed access token."""

    token: str
    expires_in: int
    kid: str
    principal: Principal


class Authenticator:
    """Turns credentials into access tokens."""

    def __init__(self, accounts: AccountStore, keys: KeyStore, issuer: TokenIssuer) -> None:
        self.accounts = accounts
        self.keys = keys
        self.issuer = issuer

    def _issue(self, principal: Principal) -> IssuedToken:
        kid, private_key = self.keys.current()
        token, expires_in = self.issuer.issue(principal, kid, private_key)
        return IssuedToken(token=token, expires_in=expires_in, kid=kid, principal=principal)

    def client_token(self, client_id: str, client_secret: str) -> IssuedToken:
        """A token for an API client (``client_credentials`` grant)."""
        return self._issue(self.accounts.authenticate_client(client_id, client_secret))

    def user_token(self, username: str, password: str) -> IssuedToken:
        """A token for an officer (``password`` grant)."""
        return self._issue(self.accounts.authenticate_user(username, password))
