"""Alerts meant for the police, and their acknowledgement."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


class Alert(Base):
    """A case the police must know about, with why; acknowledged by a police officer."""

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # An alert about a hot spot turning active (no case of its own).
    hotspot_id: Mapped[str | None] = mapped_column(
        ForeignKey("hotspots.id", ondelete="CASCADE", name="fk_alerts_hotspot")
    )
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (Index("ix_alerts_created", "created_at"),)
