"""Messages in officers' inboxes."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import Boolean, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


def ack_code() -> str:
    """A six-digit code an officer can send back by SMS to acknowledge."""
    return f"{secrets.randbelow(10**6):06d}"


class InboxMessage(Base):
    """One message to one officer about one event; the pair (event, recipient) is unique."""

    __tablename__ = "inbox_messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    recipient: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(120))
    case_id: Mapped[str | None] = mapped_column(String(36))
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    ack_code: Mapped[str] = mapped_column(String(6), default=ack_code)
    via_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_via: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        UniqueConstraint("event_id", "recipient", name="uq_inbox_event_recipient"),
        Index("ix_inbox_recipient_created", "recipient", "created_at"),
    )
