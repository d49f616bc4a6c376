"""Incidents the police report. Nothing here names a citizen."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


class Incident(Base):
    """A public-order situation: place, unit, time, estimated crowd, what happened, related case."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    unit: Mapped[str] = mapped_column(String(10))
    field_code: Mapped[str | None] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(300))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    crowd_estimate: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    public_order: Mapped[bool] = mapped_column(Boolean, default=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    reported_by: Mapped[str] = mapped_column(String(120))
    reporter_unit: Mapped[str | None] = mapped_column(String(10))
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # open or closed: the reporting police client updates and closes its own incidents.
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_incidents_window", "unit", "occurred_at"),)
