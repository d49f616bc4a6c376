"""tiepdan_common.db.insert_rows: many rows in one statement, the same rows on either backend."""

import datetime as dt

import pytest
from sqlalchemy import Boolean, Integer, String, select
from sqlalchemy.exc import DataError, StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from tiepdan_common.db import insert_rows
from tiepdan_common.models import UTCDateTime


class Base(DeclarativeBase):
    pass


class Code(TypeDecorator):
    """A column type with its own bind step, which a bulk insert must apply like any other insert."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.strip().upper() if value is not None else None


class Row(Base):
    __tablename__ = "rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)
    flag: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    code: Mapped[str | None] = mapped_column(Code)


@pytest.fixture
def database(db):
    """The library's two-backend database (conftest), with this module's table."""
    Base.metadata.create_all(db.engine)
    return db


def test_rows_go_in_with_their_types_and_nulls(database):
    hanoi = dt.timezone(dt.timedelta(hours=7))
    rows = [
        {
            "name": f"Nguyễn Thị Ánh {i}",
            "note": None if i % 2 else 'dấu "ngoặc" \\ và\nxuống dòng',
            "count": i * 1000,
            "flag": i % 3 == 0,
            "at": dt.datetime(2026, 11, 26, 9, i, tzinfo=hanoi),
        }
        for i in range(50)
    ]
    with database.session() as session:
        insert_rows(session, Row.__table__, rows)
    with database.session() as session:
        stored = session.scalars(select(Row).order_by(Row.id)).all()
    assert [(r.name, r.note, r.count, r.flag) for r in stored] == [
        (r["name"], r["note"], r["count"], r["flag"]) for r in rows
    ]
    # The same instants, read back in UTC.
    assert [r.at for r in stored] == [r["at"].astimezone(dt.UTC) for r in rows]
    assert all(r.at.utcoffset() == dt.timedelta(0) for r in stored)


def test_nothing_to_insert_sends_nothing(database):
    with database.session() as session:
        insert_rows(session, Row.__table__, [])
        assert session.scalar(select(Row.id)) is None


def test_a_naive_time_is_refused_as_everywhere_else(database):
    row = {"name": "a", "note": None, "count": 1, "flag": False, "at": dt.datetime(2026, 11, 26, 9)}
    with pytest.raises((ValueError, StatementError), match="naive datetime"), database.session() as session:
        insert_rows(session, Row.__table__, [row])


def test_postgresql_checks_each_value_against_its_column(database):
    if not database.is_postgresql:
        pytest.skip("SQLite does not enforce a VARCHAR's length")
    row = {"name": "x" * 21, "note": None, "count": 1, "flag": False, "at": dt.datetime.now(dt.UTC)}
    with pytest.raises(DataError), database.session() as session:
        insert_rows(session, Row.__table__, [row])


def test_a_column_type_s_own_bind_step_is_applied(database):
    row = {"name": "a", "note": None, "count": 1, "flag": False, "at": dt.datetime.now(dt.UTC), "code": " ab-7 "}
    with database.session() as session:
        insert_rows(session, Row.__table__, [row, {**row, "code": None}])
    with database.session() as session:
        assert session.scalars(select(Row.code).order_by(Row.id)).all() == ["AB-7", None]
