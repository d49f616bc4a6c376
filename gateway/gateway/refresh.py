"""Officers' refresh tokens: a sign-in lasts the working day without a 15-minute cut.

A sign-in with a password begins a *family*; each use of its refresh token answers a new access token
and a new refresh token of the same family, and the used one is spent. A refresh token is refused once
spent (the whole family then ends: someone else holds a copy), revoked (signing out), idle for longer
than ``idle_seconds``, past its family's end (``lifetime_seconds`` after the sign-in, or
``wall_board_seconds`` for a wall board, which stays signed in while it keeps refreshing), or when its
account was disabled or changed since (its token version). Only the SHA-256 of a token is stored.
The row is locked while it is spent (two uses at once: one wins).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import uuid

from sqlalchemy import select, update

from tiepdan_common.db import Database
from tiepdan_common.models import utcnow

from .accounts import AuthenticationFailed, Principal, user_principal
from .models import RefreshToken, UserAccount

# A token spent this recently and presented again is refused without ending its family: two requests of
# one browser refreshing at once, not a thief.
REUSE_GRACE_SECONDS = 10


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Refreshed:
    """A new refresh token for a principal, and how long it may stay unused."""

    principal: Principal
    token: str
    idle_seconds: int


class RefreshStore:
    """The refresh tokens in the gateway database (synchronous; call through the thread pool)."""

    def __init__(self, db: Database, *, lifetime_seconds: int, idle_seconds: int, wall_board_seconds: int) -> None:
        self.db = db
        self.lifetime_seconds = lifetime_seconds
        self.idle_seconds = idle_seconds
        self.wall_board_seconds = wall_board_seconds

    def begin(self, username: str, version: int, *, wall_board: bool = False, now: dt.datetime | None = None) -> str:
        """A new family's first refresh token, at a sign-in."""
        now = now or utcnow()
        lifetime = self.wall_board_seconds if wall_board else self.lifetime_seconds
        token = secrets.token_urlsafe(32)
        with self.db.session() as session:
            session.add(
                RefreshToken(
                    token_hash=_digest(token),
                    family=uuid.uuid4().hex,
                    username=username,
                    token_version=version,
                    wall_board=wall_board,
                    created_at=now,
                    expires_at=now + dt.timedelta(seconds=lifetime),
                )
            )
        return token

    def rotate(self, token: str, now: dt.datetime | None = None) -> Refreshed:
        """Spend ``token`` for a new one of its family; :class:`AuthenticationFailed` when it is refused."""
        now = now or utcnow()
        refreshed: Refreshed | None = None
        with self.db.session() as session:  # committed before a refusal is raised: an ended family stays ended
            row = session.execute(
                select(RefreshToken).where(RefreshToken.token_hash == _digest(token)).with_for_update()
            ).scalar_one_or_none()
            if row is None or row.revoked_at is not None:
                pass
            elif row.used_at is not None:
                if (now - row.used_at).total_seconds() > REUSE_GRACE_SECONDS:
                    self._end_family(session, row.family, now)  # a copy in other hands: end them all
            else:
                user = session.get(UserAccount, row.username)
                stale = user is None or user.disabled or (user.token_version or 0) != row.token_version
                idle = (now - row.created_at).total_seconds() > self.idle_seconds
                if stale or idle or now >= row.expires_at:
                    self._end_family(session, row.family, now)
                else:
                    row.used_at = now
                    new = secrets.token_urlsafe(32)
                    session.add(
                        RefreshToken(
                            token_hash=_digest(new),
                            family=row.family,
                            username=row.username,
                            token_version=row.token_version,
                            wall_board=row.wall_board,
                            created_at=now,
                            expires_at=row.expires_at,
                        )
                    )
                    refreshed = Refreshed(principal=user_principal(user), token=new, idle_seconds=self.idle_seconds)
        if refreshed is None:
            raise AuthenticationFailed("invalid_grant", "The refresh token is unknown, spent, revoked or expired.")
        return refreshed

    def revoke(self, token: str, now: dt.datetime | None = None) -> None:
        """End the family of ``token`` (signing out); an unknown token changes nothing."""
        now = now or utcnow()
        with self.db.session() as session:
            family = session.scalar(select(RefreshToken.family).where(RefreshToken.token_hash == _digest(token)))
            if family is not None:
                self._end_family(session, family, now)

    @staticmethod
    def _end_family(session, family: str, now: dt.datetime) -> None:
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
