"""Province requests: group, place, contact, deadline, assignments, who went, when citizens returned, outcome."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


class ProvinceRequest(Base):
    """The province's request: from received, through assigned and officers sent, to completed."""

    __tablename__ = "province_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    reference: Mapped[str | None] = mapped_column(String(60))
    requested_by: Mapped[str] = mapped_column(String(120))
    province_unit: Mapped[str | None] = mapped_column(String(10))
    group_size: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(300))
    contact: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str | None] = mapped_column(String(10))
    field_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="received")
    assignees: Mapped[dict] = mapped_column(JSON, default=dict)
    officers_sent: Mapped[list] = mapped_column(JSON, default=list)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    citizens_returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the deadline alarm went out: set by the one worker whose conditional UPDATE claimed it.
    deadline_alarmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_province_requests_caller", "requested_by", "received_at"),
        Index("ix_province_requests_deadline", "status", "deadline"),
    )
