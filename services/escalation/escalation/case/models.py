"""Cases, what they came from, and their timeline."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tiepdan_common.models import UTCDateTime, utcnow

from ..database import Base


class Case(Base):
    """A matter followed by the district: a mass or complex complaint, an incident, a province request."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    number: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    # The title police and province read: generated from the unit and field when an officer typed the title.
    public_title: Mapped[str | None] = mapped_column(String(400))
    unit: Mapped[str] = mapped_column(String(10))
    field_code: Mapped[str] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(20))
    matter_key: Mapped[str] = mapped_column(String(120))
    severity: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="opened")
    owner_agency: Mapped[str | None] = mapped_column(String(40))
    group_size: Mapped[int | None] = mapped_column(Integer)
    public_order: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    # Complex (phức tạp): flagged by hand, or by repeated joins / going over a level.
    complex: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Agencies, units and officers following the case: [{"type": "agency", "value": "TNMT", "role": "owner"}].
    participants: Mapped[list | None] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The case this one was merged into (closed with reason ``merged``).
    merged_into: Mapped[str | None] = mapped_column(String(36))

    timeline: Mapped[list[TimelineEntry]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TimelineEntry.id"
    )

    __table_args__ = (
        Index("ix_cases_open_matter", "matter_key", "status"),
        Index("ix_cases_opened", "opened_at"),
        # One case open per matter, whoever opens it: a second opener's insert fails and it joins the first.
        Index(
            "uq_cases_open_matter",
            "matter_key",
            unique=True,
            sqlite_where=text("status <> 'closed'"),
            postgresql_where=text("status <> 'closed'"),
        ),
    )


class CaseSource(Base):
    """An event or record that opened or joined a case (a visit, an incident, a request)."""

    __tablename__ = "case_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    source_type: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[str] = mapped_column(String(64))
    # Never read (code uses case_id): it tells a flush to insert a case before its sources, so that a batch of
    # visits can write its new cases and what refers to them in one flush. lazy="raise": no hidden query.
    case: Mapped[Case] = relationship(lazy="raise")

    __table_args__ = (UniqueConstraint("source_type", "source_id", name="uq_case_source"),)


class TimelineEntry(Base):
    """One change to a case: who, when, what."""

    __tablename__ = "case_timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class CaseCounter(Base):
    """The last case number given in a year."""

    __tablename__ = "case_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CaseLink(Base):
    """Two related cases (vụ việc liên quan), stored once, read from either side."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    linked_case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="related")
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("case_id", "linked_case_id", name="uq_case_link"),
        Index("ix_case_links_linked", "linked_case_id"),
    )
