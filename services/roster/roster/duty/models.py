"""The duty roster (lịch trực): periods, shifts, and who is assigned to each."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import UTCDateTime

from ..database import Base
from ..directory.models import Officer


class DutyPeriod(Base):
    """A period of duty, such as a National Assembly session."""

    __tablename__ = "duty_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)


class Shift(Base):
    """A stretch of time on duty: morning, afternoon, standby outside office hours, or a leader's day on call."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("duty_periods.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", lazy="selectin", order_by="Assignment.id"
    )

    __table_args__ = (
        Index("ix_shifts_time", "starts_at", "ends_at"),
        UniqueConstraint("period_id", "kind", "starts_at", name="uq_shift_period_kind_start"),
    )


class Assignment(Base):
    """An officer on a shift in a duty role (lead, inspector, department, police, standby, leader_on_call)."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    officer_code: Mapped[str] = mapped_column(ForeignKey("officers.code"), index=True)
    duty_role: Mapped[str] = mapped_column(String(30))

    shift: Mapped[Shift] = relationship(back_populates="assignments")
    officer: Mapped[Officer] = relationship(lazy="joined")


class Holiday(Base):
    """A public holiday: no office-hours shifts, standby all day."""

    __tablename__ = "holidays"

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
