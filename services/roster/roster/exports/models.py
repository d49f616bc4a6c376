"""Secret calendar links: the URL carries an id and a secret; only the secret's hash is stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime

from ..database import Base


class CalendarFeed(Base):
    """A feed of one officer's or one agency's shifts, reachable by whoever holds its link."""

    __tablename__ = "calendar_feeds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))  # officer | agency
    subject: Mapped[str] = mapped_column(String(40))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    revoked: Mapped[bool] = mapped_column(default=False)
