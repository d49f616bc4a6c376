"""Notify's declarative base and its infrastructure tables (outbox, inbox, idempotency)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from tiepdan_common.messaging.outbox import Outbox
from tiepdan_common.models import IdempotencyMixin, OutboxMixin, ProcessedMessageMixin


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedMessage(ProcessedMessageMixin, Base):
    pass


class IdempotencyRecord(IdempotencyMixin, Base):
    pass


outbox = Outbox(OutboxEvent, source="notify")
