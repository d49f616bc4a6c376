"""Database engine and sessions for a service: SQLite locally, PostgreSQL in production and CI."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    Table,
    Text,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator


def multi_host_url(url: str) -> str:
    """libpq's multi-host form (``postgresql://u@h1:5432,h2:5433/db``) in the form SQLAlchemy parses.

    A primary and its standby are named in one URL; with ``target_session_attrs=read-write`` every
    new connection finds whichever of them takes writes now, so a failover needs no restart.
    """
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    if not sep or "," not in hosts:
        return url
    path, question, query = tail.partition("?")
    host_params = "&".join(f"host={quote(h.strip(), safe=':[]')}" for h in hosts.split(",") if h.strip())
    query = f"{host_params}&{query}" if query else host_params
    return f"{scheme}://{userinfo}{at}/{path}?{query}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with settings that suit each backend."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:  # pragma: no cover - trivial
            # Let SQLAlchemy, not pysqlite, begin transactions, so SAVEPOINTs work (SQLAlchemy's
            # documented recipe), and take the write lock at BEGIN: a deferred transaction that
            # reads then writes can fail with "database is locked" without waiting.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:  # pragma: no cover - trivial
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    url = multi_host_url(url)
    # psycopg prepares a statement after a few runs, and PostgreSQL may then keep a generic plan chosen
    # while a table was small (the consumers' dedupe lookup of a batch's ids became a scan of every
    # processed message). Plan each statement for its own parameters; the parse is still saved.
    connect_args = kwargs.setdefault("connect_args", {})
    connect_args.setdefault("options", "-c plan_cache_mode=force_custom_plan")
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        """Raise when the database cannot answer a trivial query."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


@functools.cache
def _recordset_insert(table: Table, names: tuple[str, ...]) -> Insert:
    """INSERT INTO table (names) SELECT names FROM json_to_recordset(:rows) AS r(name type, ...) (built once)."""
    columns = [table.c[name] for name in names]
    rows = (
        func.json_to_recordset(cast(bindparam("rows", type_=Text), JSON))
        .table_valued(*columns)
        .render_derived(with_types=True)
    )
    return insert(table).from_select(list(names), select(*rows.c))


def _json_value(value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored in UTC and must carry a timezone")
        return value.isoformat()
    if isinstance(value, (dt.date, uuid.UUID)):
        return str(value)
    raise TypeError(f"cannot send {type(value).__name__} in a bulk insert")


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert many rows (dicts with the same keys) in one statement, cheaply for the client.

    SQLAlchemy's multi-row INSERT ("insertmanyvalues") writes a placeholder per value, and psycopg
    parses a statement that long anew every time (its cache keeps short ones): for a consumer's
    batch of 500 rows, that parsing cost more than the database's work. On PostgreSQL the rows go
    as one JSON document through ``json_to_recordset``, a short statement parsed once, the values
    converted by the database to the columns' types; elsewhere as an executemany.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    names = tuple(rows[0])
    # The database converts the JSON values to the columns' types, but a TypeDecorator's own bind step
    # (UTCDateTime's check and conversion, say) is Python's to apply, as any other insert would.
    dialect = session.get_bind().dialect
    decorated = [(name, table.c[name].type) for name in names if isinstance(table.c[name].type, TypeDecorator)]
    if decorated:
        rows = [
            {**row, **{name: kind.process_bind_param(row[name], dialect) for name, kind in decorated}} for row in rows
        ]
    session.execute(_recordset_insert(table, names), {"rows": json.dumps(rows, default=_json_value)})
