"""What notify learned from roster, kept so that a roster outage still lets it reach people."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


class Contact(Base):
    """An officer's name, agency and channels (phone, email, webhook) as roster last gave them."""

    __tablename__ = "contacts"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(40))
    channels: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RosterSnapshot(Base):
    """Roster's last answer to one question (who is on duty for a role, who works in an agency)."""

    __tablename__ = "roster_snapshots"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    answer: Mapped[object] = mapped_column(JSON)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
