"""A case's entry on the Plan 363 list and every change to it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


class Plan363Entry(Base):
    """A case on the list of backlogged, complex, prolonged cases of Plan 363/KH-TTCP (2019): whether it is on
    the central list, the resolution plan agreed (when), the agreed deadline and how far resolution has come."""

    __tablename__ = "plan363_entries"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(10))
    on_central_list: Mapped[bool] = mapped_column(Boolean, default=False)
    review_result: Mapped[str | None] = mapped_column(Text)
    plan_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    plan_agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    plan_summary: Mapped[str | None] = mapped_column(Text)
    agreed_deadline: Mapped[dt.date | None] = mapped_column(Date)
    lead_agency: Mapped[str | None] = mapped_column(String(120))
    progress: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Plan363Change(Base):
    """One change to a case's Plan 363 entry: who, when, the fields before and after (its status history)."""

    __tablename__ = "plan363_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    progress: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
