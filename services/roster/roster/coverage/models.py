"""Gaps already announced, so that ``roster.coverage.gap`` is emitted once per gap."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime

from ..database import Base


class CoverageGapNotice(Base):
    """A gap (shift, duty role, reason, officer) for which the event was staged."""

    __tablename__ = "coverage_gap_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    duty_role: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(40))
    officer_code: Mapped[str] = mapped_column(String(40), default="")
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("shift_id", "duty_role", "reason", "officer_code", name="uq_gap_notice"),)
