"""The transactional outbox: an event row written in the same transaction as the change it reports."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from ..context import correlation_id_var
from ..db import insert_rows
from ..models import utcnow
from . import contracts
from .envelope import Envelope


class Outbox:
    """Adds events to a service's outbox table; the relay publishes them after commit."""

    def __init__(self, model: type[Any], *, source: str, validate: bool = True) -> None:
        # ``model``: a mapped class with OutboxMixin (its columns and ``__table__`` are what is used).
        self.model = model
        self.source = source
        self.validate = validate

    def envelope(self, event_type: str, data: dict, *, version: int = 1, correlation_id: str | None = None) -> Envelope:
        """A new event from this service, checked against its contract (``ContractError`` if it breaks it)."""
        envelope = Envelope.new(
            type=event_type,
            source=self.source,
            data=data,
            version=version,
            correlation_id=correlation_id or correlation_id_var.get(),
        )
        if self.validate:
            contracts.validate(envelope)
        return envelope

    @staticmethod
    def row(envelope: Envelope) -> dict:
        """The outbox row of an event, for a service that writes it in a statement of its own."""
        return {
            "event_id": envelope.id,
            "event_type": envelope.type,
            "payload": envelope.to_json(),
            "created_at": utcnow(),
            "attempts": 0,
        }

    def add(
        self, session: Session, event_type: str, data: dict, *, version: int = 1, correlation_id: str | None = None
    ) -> Envelope:
        """Stage ``event_type`` with ``data`` in ``session``; it is published only if the session commits."""
        envelope = self.envelope(event_type, data, version=version, correlation_id=correlation_id)
        collected = session.info.get(self._collecting)
        if collected is not None:
            collected.append(self.row(envelope))
            return envelope
        # A plain Core insert, built once: the unit of work adds nothing for a row nobody reads back in this
        # transaction. Without autoflush, so that the caller's pending objects are flushed (and fail) where
        # they would have.
        with session.no_autoflush:
            session.execute(self._insert, self.row(envelope))
        return envelope

    @functools.cached_property
    def _insert(self) -> Executable:
        return insert(self.model.__table__)

    @contextlib.contextmanager
    def collected(self, session: Session) -> Iterator[None]:
        """Events added to ``session`` within the block are written together, in one statement, at its end.

        For a consumer's batch that stages an event or more per message: one insert instead of one per
        event, in the order they were added. If the block raises, none of them is written (the caller's
        savepoint or transaction is rolled back anyway). Within an outer block, the outer one writes them.
        """
        if self._collecting in session.info:
            yield
            return
        rows: list[dict] = []
        session.info[self._collecting] = rows
        try:
            yield
        finally:
            del session.info[self._collecting]
        insert_rows(session, self.model.__table__, rows)

    @functools.cached_property
    def _collecting(self) -> str:
        return f"tiepdan.outbox.collected:{self.model.__tablename__}"

    # The relay's side.

    def claim(self, session: Session, *, limit: int, claim_seconds: float) -> list[tuple[int, str, str]]:
        """Claim up to ``limit`` unpublished events for this relay (skipping rows another relay holds)."""
        now = utcnow()
        claimed = session.execute(
            self._claim, {"now": now, "until": now + dt.timedelta(seconds=claim_seconds), "limit": limit}
        ).all()
        session.commit()
        rows = sorted(claimed, key=lambda r: r.id)
        return [(r.id, r.event_type, r.payload) for r in rows]

    def mark_published(self, session: Session, ids: list[int]) -> None:
        if ids:
            session.execute(self._mark, {"ids": ids, "now": utcnow()})
            session.commit()

    def release(self, session: Session, ids: list[int], error: str | None = None) -> None:
        """Give claimed events back so that they are published again."""
        if ids:
            session.execute(self._release, {"ids": ids, "error": error})
            session.commit()

    # The relay's statements, on the table rather than the mapped class: the ORM's bulk UPDATE would
    # also work out which objects in the session to refresh, and a relay's session holds none.

    @functools.cached_property
    def _claim(self) -> Executable:
        table = self.model.__table__
        claimable = (
            select(table.c.id)
            .where(table.c.published_at.is_(None))
            .where(or_(table.c.claimed_until.is_(None), table.c.claimed_until < bindparam("now")))
            .order_by(table.c.id)
            .limit(bindparam("limit"))
            .with_for_update(skip_locked=True)
        )
        return (
            update(table)
            .where(table.c.id.in_(claimable.scalar_subquery()))
            .values(claimed_until=bindparam("until"), attempts=table.c.attempts + 1)
            .returning(table.c.id, table.c.event_type, table.c.payload)
        )

    @functools.cached_property
    def _mark(self) -> Executable:
        table = self.model.__table__
        return (
            update(table).where(table.c.id.in_(bindparam("ids", expanding=True))).values(published_at=bindparam("now"))
        )

    @functools.cached_property
    def _release(self) -> Executable:
        table = self.model.__table__
        return (
            update(table)
            .where(table.c.id.in_(bindparam("ids", expanding=True)), table.c.published_at.is_(None))
            .values(claimed_until=None, last_error=bindparam("error"))
        )

    def pending_count(self, session: Session) -> int:
        return session.execute(
            select(func.count()).select_from(self.model).where(self.model.published_at.is_(None))
        ).scalar_one()

    def purge_published(self, session: Session, *, older_than: dt.timedelta) -> int:
        # A DELETE's result is a CursorResult (it has a row count); Session.execute is typed for any statement.
        result = cast(
            "CursorResult[Any]",
            session.execute(
                delete(self.model).where(
                    self.model.published_at.is_not(None), self.model.published_at < utcnow() - older_than
                )
            ),
        )
        session.commit()
        return result.rowcount or 0
