"""What the daily summary keeps: the overdue petitions intake announced and each date sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


class OverdueItem(Base):
    """A petition intake reported overdue (no personal data: number, unit, field, stage)."""

    __tablename__ = "overdue_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    petition_id: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[str] = mapped_column(String(60))
    receiving_unit: Mapped[str] = mapped_column(String(10))
    field_code: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(60))
    days_overdue: Mapped[int] = mapped_column(Integer)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DailySummary(Base):
    """The summary of one local date; its primary key makes a second worker's attempt fail."""

    __tablename__ = "daily_summaries"

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    generated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # Sent after its hour had passed by a worker that was down then (caught up on start).
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
