"""Messages: one per event and recipient; an officer reads them in the in-app inbox."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


def ack_code() -> str:
    """A six-digit code an officer can send back by SMS to acknowledge."""
    return f"{secrets.randbelow(10**6):06d}"


class InboxMessage(Base):
    """One message to one recipient about one event; the pair (event, recipient) is unique.

    A recipient is an officer's code, or ``system:<name>`` for another body's system reached by webhook.
    """

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
    # Added in 0002: the English version, urgency, the rule that chose the recipient.
    title_en: Mapped[str | None] = mapped_column(String(400))
    body_en: Mapped[str | None] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    rule: Mapped[str | None] = mapped_column(String(80))
    # Added in 0003: the event's data, for the systems told by webhook (events carry no personal data).
    data: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("event_id", "recipient", name="uq_inbox_event_recipient"),
        Index("ix_inbox_recipient_created", "recipient", "created_at"),
        Index("ix_inbox_case", "case_id"),
    )


class MessageCase(Base):
    """A further case a message is about, beyond its ``case_id``: a hot spot's message names every case in it."""

    __tablename__ = "message_cases"

    message_id: Mapped[str] = mapped_column(String(36), ForeignKey("inbox_messages.id"), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
