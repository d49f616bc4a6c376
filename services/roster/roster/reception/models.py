"""A day on which a leader receives citizens in person, and when it was published."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import UTCDateTime

from ..database import Base
from ..directory.models import Officer


class ReceptionDay(Base):
    """A leader's scheduled reception day at a place, published at ``published_at``."""

    __tablename__ = "reception_days"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    officer_code: Mapped[str] = mapped_column(ForeignKey("officers.code", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(120), default="")
    # A deputy receiving on a chair's behalf (ủy quyền cấp phó), while the law in force allows it.
    on_behalf_of: Mapped[str | None] = mapped_column(ForeignKey("officers.code", ondelete="SET NULL"), nullable=True)

    officer: Mapped[Officer] = relationship(lazy="joined", foreign_keys=[officer_code])

    __table_args__ = (UniqueConstraint("officer_code", "date", name="uq_reception_officer_date"),)
