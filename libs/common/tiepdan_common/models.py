"""Infrastructure tables every service keeps in its own database.

A service declares them on its own declarative base:

    class OutboxEvent(OutboxMixin, Base): ...
    class ProcessedMessage(ProcessedMessageMixin, Base): ...
    class IdempotencyRecord(IdempotencyMixin, Base): ...

and creates them in its first migration with
:func:`tiepdan_common.migrations.create_infrastructure_tables_v1`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    """The current time, in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class OutboxMixin:
    """An event written in the same transaction as the change it reports (the transactional outbox)."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    event_type: Mapped[str] = mapped_column(String(120), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)

    @declared_attr.directive
    def __table_args__(cls):
        return (Index("ix_outbox_events_pending", "published_at", "id"),)


class ProcessedMessageMixin:
    """A message a consumer has handled, so that a redelivery is dropped (the inbox)."""

    __tablename__ = "processed_messages"

    consumer: Mapped[str] = mapped_column(String(120), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class IdempotencyMixin:
    """The first answer to a write carrying an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotency_records"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    caller: Mapped[str] = mapped_column(String(120), nullable=False)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(Integer, nullable=False)
    response_body: Mapped[str] = mapped_column(Text, nullable=False)
    response_headers: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("caller", "key", name="uq_idempotency_caller_key"),)
