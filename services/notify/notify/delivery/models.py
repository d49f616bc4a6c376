"""A delivery is one message over one channel at one ladder step; each try is an attempt."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import BigIntPK, UTCDateTime, utcnow

from ..database import Base
from ..inbox.models import InboxMessage

# pending: waits for its time (first try or retry); sent: the channel took it; dead: gave up after the
# last attempt; cancelled: acknowledged before it was due; skipped: the recipient has no address there.
STATUSES = ("pending", "sent", "dead", "cancelled", "skipped")


class Delivery(Base):
    __tablename__ = "deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    message_id: Mapped[str] = mapped_column(String(36), ForeignKey("inbox_messages.id"))
    recipient: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(String(300))
    step: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_answer: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Never read (code uses message_id): it tells a flush to insert a message before its deliveries, so that a
    # message and its deliveries can be written by one flush. lazy="raise": loading it would be an unseen query.
    message: Mapped[InboxMessage] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("message_id", "step", "channel", name="uq_delivery_message_step_channel"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )


class DeliveryAttempt(Base):
    """One try of a delivery: when, how it ended, what the provider answered."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(36), ForeignKey("deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    provider_answer: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
