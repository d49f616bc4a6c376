"""The duty roster (lịch trực): periods, shifts, and who is assigned to each."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import UTCDateTime

from ..database import Base
from ..directory.models import Officer

PERIOD_KINDS = ("special", "ordinary")


class DutyPeriod(Base):
    """A period of duty: a special one such as a National Assembly session, or the ordinary standing roster.

    Where a special period and an ordinary one cover the same shift, the special period's shift wins.
    """

    __tablename__ = "duty_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20), default="special", server_default="special")


class Shift(Base):
    """A stretch of time on duty: morning, afternoon, standby outside office hours, or a leader's day on call."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("duty_periods.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set once, atomically, when the shift-starting reminder is staged (so two workers never both send it).
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    period: Mapped[DutyPeriod] = relationship(lazy="joined")
    assignments: Mapped[list[Assignment]] = relationship(
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
    # generated (by the rotation, replaced on regeneration) or pinned by a person: manual, override, swap.
    source: Mapped[str] = mapped_column(String(20), default="generated", server_default="generated")
    note: Mapped[str] = mapped_column(String(400), default="", server_default="")

    shift: Mapped[Shift] = relationship(back_populates="assignments")
    officer: Mapped[Officer] = relationship(lazy="joined")


PINNED_SOURCES = ("manual", "override", "swap")


class CoverageRequirement(Base):
    """How many officers of which agency kinds a kind of shift needs in a duty role (data, editable)."""

    __tablename__ = "coverage_requirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shift_kind: Mapped[str] = mapped_column(String(20))
    duty_role: Mapped[str] = mapped_column(String(30))
    agency_kinds: Mapped[str] = mapped_column(String(200))  # comma-separated, e.g. "board,inspectorate"
    count: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("shift_kind", "duty_role", name="uq_requirement_kind_role"),)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The agency kinds as a tuple (the rotation pool's key)."""
        return tuple(k for k in self.agency_kinds.split(",") if k)
