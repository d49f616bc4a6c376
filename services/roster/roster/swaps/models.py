"""A request to hand an assignment to another officer, optionally taking one of theirs in return."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime

from ..database import Base

SWAP_STATES = ("requested", "accepted", "approved", "rejected", "cancelled")


class SwapRequest(Base):
    """Officer ``requester`` gives their place on ``shift_id`` (``duty_role``) to ``counterpart``.

    With ``return_shift_id``, the requester takes the counterpart's place on that shift in return.
    Shift ids survive regeneration, so an approved swap stays attached to its shifts.
    """

    __tablename__ = "swap_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    duty_role: Mapped[str] = mapped_column(String(30))
    requester: Mapped[str] = mapped_column(ForeignKey("officers.code"))
    counterpart: Mapped[str] = mapped_column(ForeignKey("officers.code"))
    return_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), nullable=True)
    return_duty_role: Mapped[str | None] = mapped_column(String(30), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    reason: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(120), nullable=True)

    __table_args__ = (Index("ix_swaps_status", "status"),)
