"""API clients and officer accounts: creating them, and checking their credentials.

The module is long because one store keeps both kinds of account: they share the secret hashing, the
token versions that revoke their tokens and the database session, which would change together if split.

Everything here is synchronous database work (and slow argon2 checks); the
web handlers call it through the gateway's thread pool.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import case, select, update

from tiepdan_common.db import Database
from tiepdan_common.identity import KINDS
from tiepdan_common.models import utcnow

from .access import permissions_for
from .models import ApiClient, UserAccount
from .passwords import SecretHasher, generate_secret


@dataclasses.dataclass(frozen=True)
class Principal:
    """An authenticated caller, as written into its access token."""

    subject: str
    kind: str
    unit: str | None
    roles: tuple[str, ...]
    permissions: tuple[str, ...]
    officer: str | None
    name: str | None
    version: int = 0  # the account's token version when the token was issued


class AuthenticationFailed(Exception):
    """Credentials were refused; ``code`` says why in a stable word, ``retry_after`` when locked."""

    def __init__(self, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class AccountError(ValueError):
    """An administrative operation on accounts cannot be done (unknown account, bad kind, ...)."""


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise AccountError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")


def _roles(roles: Iterable[str] | None) -> list[str]:
    return sorted({r.strip() for r in roles or () if r and r.strip()})


def user_principal(user: UserAccount) -> Principal:
    """The principal of an officer's account, as its tokens name it."""
    roles = tuple(user.roles or ())
    return Principal(
        subject=user.username,
        kind=user.kind,
        unit=user.unit,
        roles=roles,
        permissions=permissions_for(user.kind, roles),
        officer=user.officer_code,
        name=user.full_name,
        version=user.token_version or 0,
    )


def _revoke(account: ApiClient | UserAccount) -> None:
    """End every token issued to the account so far (its version goes up, in the UPDATE itself)."""
    account.token_version = type(account).token_version + 1


class AccountStore:
    """The gateway's clients and officer accounts, in its database."""

    def __init__(
        self,
        db: Database,
        hasher: SecretHasher,
        *,
        lockout_threshold: int = 5,
        lockout_seconds: int = 900,
    ) -> None:
        self.db = db
        self.hasher = hasher
        self.lockout_threshold = lockout_threshold
        self.lockout_seconds = lockout_seconds

    # ------------------------------------------------------------------ authentication

    def authenticate_client(self, client_id: str, secret: str) -> Principal:
        """The principal of the client whose id and secret these are, or :class:`AuthenticationFailed`."""
        with self.db.session() as session:
            client = session.get(ApiClient, client_id)
            ok = self.hasher.verify(client.secret_hash if client else None, secret)
            if not ok or client is None or client.disabled:
                raise AuthenticationFailed("invalid_client", "Unknown client, wrong secret or disabled client.")
            if self.hasher.needs_rehash(client.secret_hash):
                client.secret_hash = self.hasher.hash(secret)
            roles = tuple(client.roles or ())
            return Principal(
                subject=client.client_id,
                kind=client.kind,
                unit=client.unit,
                roles=roles,
                permissions=permissions_for(client.kind, roles),
                officer=None,
                name=client.display_name,
                version=client.token_version or 0,
            )

    def authenticate_user(self, username: str, password: str, now: dt.datetime | None = None) -> Principal:
        """The principal of the officer, counting failures and locking the account after too many."""
        now = now or utcnow()
        failure: AuthenticationFailed | None = None
        principal: Principal | None = None
        with self.db.session() as session:
            user = session.get(UserAccount, username)
            if user is not None and user.locked_until is not None and user.locked_until > now:
                retry = int((user.locked_until - now).total_seconds()) + 1
                failure = AuthenticationFailed(
                    "account_locked", "Too many failed sign-ins; the account is locked for a while.", retry
                )
            else:
                ok = self.hasher.verify(user.password_hash if user else None, password)
                if user is None or user.disabled:
                    failure = AuthenticationFailed("invalid_grant", "Unknown user, wrong password or disabled account.")
                elif not ok:
                    # Committed when the session closes, before the refusal is raised.
                    self._record_failure(session, username, now)
                    failure = AuthenticationFailed("invalid_grant", "Unknown user, wrong password or disabled account.")
                else:
                    user.failed_attempts = 0
                    user.locked_until = None
                    user.last_login_at = now
                    if self.hasher.needs_rehash(user.password_hash):
                        user.password_hash = self.hasher.hash(password)
                    principal = user_principal(user)
        if failure is not None:
            raise failure
        assert principal is not None
        return principal

    def _record_failure(self, session, username: str, now: dt.datetime) -> None:
        """Count one more failure in a single atomic update; lock and restart the count at the threshold."""
        reached = UserAccount.failed_attempts + 1 >= self.lockout_threshold
        session.execute(
            update(UserAccount)
            .where(UserAccount.username == username)
            .values(
                failed_attempts=case((reached, 0), else_=UserAccount.failed_attempts + 1),
                locked_until=case(
                    (reached, now + dt.timedelta(seconds=self.lockout_seconds)), else_=UserAccount.locked_until
                ),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    # ------------------------------------------------------------------ clients

    def create_client(
        self,
        client_id: str,
        *,
        kind: str,
        display_name: str,
        unit: str | None = None,
        roles: Iterable[str] = (),
        secret: str | None = None,
    ) -> str:
        """Create a client; returns its secret (the one given, or a new random one)."""
        _check_kind(kind)
        secret = secret or generate_secret()
        with self.db.session() as session:
            if session.get(ApiClient, client_id) is not None:
                raise AccountError(f"client {client_id!r} exists already")
            session.add(
                ApiClient(
                    client_id=client_id,
                    secret_hash=self.hasher.hash(secret),
                    kind=kind,
                    unit=unit,
                    display_name=display_name,
                    roles=_roles(roles),
                    disabled=False,
                )
            )
        return secret

    def upsert_client(
        self, client_id: str, *, kind: str, display_name: str, unit: str | None, roles: Iterable[str], secret: str
    ) -> bool:
        """Create the client or bring it to these values (the disabled flag is left as it is); True if created."""
        _check_kind(kind)
        with self.db.session() as session:
            client = session.get(ApiClient, client_id)
            created = client is None
            if client is None:
                client = ApiClient(client_id=client_id, secret_hash=self.hasher.hash(secret), disabled=False)
                session.add(client)
            elif not self.hasher.verify(client.secret_hash, secret):
                client.secret_hash = self.hasher.hash(secret)
                _revoke(client)
            if not created and (client.kind, client.unit, list(client.roles or ())) != (kind, unit, _roles(roles)):
                _revoke(client)
            client.kind = kind
            client.unit = unit
            client.display_name = display_name
            client.roles = _roles(roles)
        return created

    def list_clients(self) -> list[ApiClient]:
        """Every client, by id."""
        with self.db.session() as session:
            return list(session.scalars(select(ApiClient).order_by(ApiClient.client_id)))

    def set_client_disabled(self, client_id: str, disabled: bool = True) -> None:
        """Disable (or enable again) a client; it gets no new token while disabled."""
        with self.db.session() as session:
            client = session.get(ApiClient, client_id)
            if client is None:
                raise AccountError(f"no client {client_id!r}")
            client.disabled = disabled
            _revoke(client)

    def rotate_secret(self, client_id: str) -> str:
        """Give the client a new random secret and return it (the old one stops working)."""
        secret = generate_secret()
        with self.db.session() as session:
            client = session.get(ApiClient, client_id)
            if client is None:
                raise AccountError(f"no client {client_id!r}")
            client.secret_hash = self.hasher.hash(secret)
            _revoke(client)
        return secret

    # ------------------------------------------------------------------ officer accounts

    def create_user(
        self,
        username: str,
        *,
        password: str,
        full_name: str,
        kind: str,
        unit: str | None = None,
        roles: Iterable[str] = (),
        officer_code: str | None = None,
    ) -> None:
        """Create an officer account."""
        _check_kind(kind)
        with self.db.session() as session:
            if session.get(UserAccount, username) is not None:
                raise AccountError(f"user {username!r} exists already")
            session.add(
                UserAccount(
                    username=username,
                    password_hash=self.hasher.hash(password),
                    officer_code=officer_code,
                    full_name=full_name,
                    kind=kind,
                    unit=unit,
                    roles=_roles(roles),
                    failed_attempts=0,
                    disabled=False,
                )
            )

    def upsert_user(
        self,
        username: str,
        *,
        password: str,
        full_name: str,
        kind: str,
        unit: str | None,
        roles: Iterable[str],
        officer_code: str | None,
    ) -> bool:
        """Create the account or bring it to these values (lock and disabled state kept); True if created."""
        _check_kind(kind)
        with self.db.session() as session:
            user = session.get(UserAccount, username)
            created = user is None
            if user is None:
                user = UserAccount(
                    username=username, password_hash=self.hasher.hash(password), failed_attempts=0, disabled=False
                )
                session.add(user)
            elif not self.hasher.verify(user.password_hash, password):
                user.password_hash = self.hasher.hash(password)
                _revoke(user)
            if not created and (user.kind, user.unit, list(user.roles or ()), user.officer_code) != (
                kind,
                unit,
                _roles(roles),
                officer_code,
            ):
                _revoke(user)
            user.officer_code = officer_code
            user.full_name = full_name
            user.kind = kind
            user.unit = unit
            user.roles = _roles(roles)
        return created

    def list_users(self) -> list[UserAccount]:
        """Every officer account, by user name."""
        with self.db.session() as session:
            return list(session.scalars(select(UserAccount).order_by(UserAccount.username)))

    def set_user_disabled(self, username: str, disabled: bool = True) -> None:
        """Disable (or enable again) an officer account."""
        with self.db.session() as session:
            user = session.get(UserAccount, username)
            if user is None:
                raise AccountError(f"no user {username!r}")
            user.disabled = disabled
            _revoke(user)

    def unlock_user(self, username: str) -> None:
        """Lift a lock after failed sign-ins."""
        with self.db.session() as session:
            user = session.get(UserAccount, username)
            if user is None:
                raise AccountError(f"no user {username!r}")
            user.failed_attempts = 0
            user.locked_until = None

    def set_password(self, username: str, password: str) -> None:
        """Give the officer a new password."""
        with self.db.session() as session:
            user = session.get(UserAccount, username)
            if user is None:
                raise AccountError(f"no user {username!r}")
            user.password_hash = self.hasher.hash(password)
            _revoke(user)

    # ------------------------------------------------------------------ revocation

    def token_versions(self) -> dict[str, int]:
        """The token version of every account that ever had its tokens ended, by token subject."""
        versions: dict[str, int] = {}
        with self.db.session() as session:
            for model, key in ((ApiClient, ApiClient.client_id), (UserAccount, UserAccount.username)):
                rows = session.execute(select(key, model.token_version).where(model.token_version > 0))
                for subject, version in rows:
                    versions[subject] = max(version, versions.get(subject, 0))
        return versions
