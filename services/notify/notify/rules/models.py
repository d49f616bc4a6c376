"""Rules, distribution lists and notification ladders, kept as data (seeded from ``seed.json``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


class Rule(Base):
    """When an event of ``event_type`` matches ``conditions``, tell ``audiences``."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    event_type: Mapped[str] = mapped_column(String(120), index=True)
    conditions: Mapped[dict] = mapped_column(JSON, default=dict)
    audiences: Mapped[list] = mapped_column(JSON, default=list)
    # true, false, or conditions that make the message urgent.
    urgent: Mapped[object] = mapped_column(JSON, default=False)
    # Channels sent at once instead of the recipient's ladder (e.g. the daily summary: inbox and email).
    channels: Mapped[list | None] = mapped_column(JSON)
    template: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DistributionList(Base):
    """A named list of audiences (danh sách nơi nhận), e.g. the plan's "Nơi nhận"; each member an audience
    spec with the plan's words for it (``label``)."""

    __tablename__ = "distribution_lists"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    members: Mapped[list] = mapped_column(JSON, default=list)
    # Added in 0005: how people call the list, where it comes from, when it last changed.
    title: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(400))
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Ladder(Base):
    """An officer's notification ladder for urgent or normal messages; recipient ``*`` is the default."""

    __tablename__ = "ladders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(10))
    steps: Mapped[list] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("recipient", "urgency", name="uq_ladder_recipient_urgency"),)
