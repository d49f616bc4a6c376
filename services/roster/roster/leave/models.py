"""An officer's absence: leave, sickness or other unavailability."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime

from ..database import Base

LEAVE_KINDS = ("leave", "sick", "unavailable")


class Leave(Base):
    """A stretch of time [starts_at, ends_at) when an officer cannot be on duty."""

    __tablename__ = "leaves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    officer_code: Mapped[str] = mapped_column(ForeignKey("officers.code", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(400), default="")
    created_by: Mapped[str] = mapped_column(String(120), default="")
    cancelled: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_leaves_officer_time", "officer_code", "starts_at", "ends_at"),)
