"""Intake's declarative base and its infrastructure tables (outbox, inbox, idempotency)."""

from __future__ import annotations

import datetime as dt

from flask import has_app_context
from sqlalchemy.orm import DeclarativeBase

from tiepdan_common import web
from tiepdan_common.clock import utcnow
from tiepdan_common.messaging.outbox import Outbox
from tiepdan_common.models import IdempotencyMixin, OutboxMixin, ProcessedMessageMixin


def recorded_now() -> dt.datetime:
    """The app's clock (``settings.clock``) where there is an app, else the process's: a column's default time."""
    return web.now() if has_app_context() else utcnow()


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedMessage(ProcessedMessageMixin, Base):
    pass


class IdempotencyRecord(IdempotencyMixin, Base):
    pass


outbox = Outbox(OutboxEvent, source="intake")
