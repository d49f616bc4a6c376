"""Agencies (cơ quan) and officers (cán bộ) who serve on the duty roster."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base

AGENCY_KINDS = ("board", "inspectorate", "department", "police", "leadership", "commune")
CHANNEL_KINDS = ("phone", "email", "webhook")


class Agency(Base):
    """A body that lends officers or is told: the board, the inspectorate, departments, police, communes."""

    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    # The People's Committee the agency belongs to, as printed on the roster ("UBND huyện Mỹ Xuyên").
    unit_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The agency exists from / until these dates (inclusive); None is open (district departments ended
    # on 30 June 2025 with the district level).
    valid_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    def in_force(self, day: dt.date) -> bool:
        """True when the agency exists on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Officer(Base):
    """A person who can be on duty or on call."""

    __tablename__ = "officers"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency] = relationship(lazy="joined")
    channels: Mapped[list[ContactChannel]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ContactChannel.id"
    )


class ContactChannel(Base):
    """A way to reach an officer, and whether it has been verified."""

    __tablename__ = "contact_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    officer_code: Mapped[str] = mapped_column(ForeignKey("officers.code", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(400))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
