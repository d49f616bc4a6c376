"""Fixtures every service's tests share: databases on both backends, a fake clock, broker names, the outbox.

Enable with ``pytest_plugins = ["tiepdan_common.pytest_plugin"]`` in a conftest, which then keeps only
what is its own. Set ``TIEPDAN_TEST_DATABASES=sqlite`` (or ``postgresql``) to run on one backend only.

A service's conftest overrides ``prepare_database`` to migrate (and seed) a database: it runs once per
backend per run, into a template each test's database is copied from, because running Alembic on both
backends for each test costs about a second a test. ``database_reset = "truncate"`` reuses the PostgreSQL
template and empties it after each test instead (faster still when a suite has hundreds of tests), keeping
the tables named by ``kept_tables``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from .clock import FakeClock
from .config import Settings
from .db import Database
from .testing import admin_postgres_url, identity_headers, isolated_broker_names

REPO_ROOT = Path(__file__).resolve().parents[3]


def _backends() -> list[str]:
    return os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def prepare_database() -> Callable[[str], None] | None:
    """Override with a callable that migrates and seeds an empty database at a URL; None leaves it empty."""
    return None


@pytest.fixture(scope="session")
def database_reset() -> str:
    """How a PostgreSQL test database is made fresh: ``"template"`` (a copy per test) or ``"truncate"``."""
    return "template"


@pytest.fixture(scope="session")
def kept_tables() -> frozenset[str]:
    """Tables ``"truncate"`` leaves as the template has them (reference data); Alembic's is always kept."""
    return frozenset()


@pytest.fixture(scope="session")
def database_templates(
    tmp_path_factory: pytest.TempPathFactory, prepare_database: Callable[[str], None] | None
) -> Iterator[Callable[[str], str]]:
    """The migrated template of a backend, made the first time a test asks for it."""
    made: dict[str, str] = {}
    admin = sa.create_engine(admin_postgres_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def get(backend: str) -> str:
        if backend not in made:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
            else:
                name = f"tmpl_{uuid.uuid4().hex[:12]}"
                with admin.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                url = admin.url.set(database=name).render_as_string(hide_password=False)
            if backend == "sqlite":
                Path(url.split("///", 1)[1]).touch()
            if prepare_database is not None:
                prepare_database(url)
            made[backend] = url
        return made[backend]

    yield get
    if "postgresql" in made:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(made["postgresql"]).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=_backends())
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    database_templates: Callable[[str], str],
    database_reset: str,
    kept_tables: frozenset[str],
) -> Iterator[str]:
    """A database of each backend, migrated and as fresh as new for every test."""
    template = database_templates(request.param)
    if request.param == "sqlite":
        path = tmp_path / "service.db"
        shutil.copyfile(template.split("///", 1)[1], path)
        yield f"sqlite:///{path}"
        return
    if database_reset == "truncate":
        yield template
        _truncate(template, kept_tables)
        return
    admin = sa.create_engine(admin_postgres_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"svc_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{sa.make_url(template).database}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_TRUNCATED: dict[str, list[str]] = {}  # the tables of each template, looked up once per run


def _truncate(url: str, kept: frozenset[str]) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        if url not in _TRUNCATED:
            found = sa.inspect(engine).get_table_names()
            _TRUNCATED[url] = [t for t in found if t not in kept and t != "alembic_version"]
        tables = _TRUNCATED[url]
        if tables:
            with engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))  # a leaked connection fails, not hangs
                names = ", ".join(f'"{t}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def clock_start() -> dt.datetime:
    """Where ``clock`` starts: now, to the second (override for a fixed day)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def clock(clock_start: dt.datetime) -> FakeClock:
    """A clock the test moves by hand (``clock.advance(minutes=5)``); pass it as the app's ``clock``."""
    return FakeClock(clock_start)


@pytest.fixture
def broker_names(request: pytest.FixtureRequest) -> dict[str, str]:
    """An exchange and queue prefix no other test run uses."""
    return isolated_broker_names(request.node.module.__name__.rsplit(".", 1)[-1][:12])


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    """Set when the test ends, so a component started on a thread stops with it."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The service's Flask test client (the conftest provides ``app``)."""
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Database:
    return app.extensions["tiepdan"]["db"]


@pytest.fixture
def settings(app: Flask) -> Settings:
    return app.extensions["tiepdan"]["settings"]


@pytest.fixture
def outbox_events(app: Flask) -> Callable[..., list[dict]]:
    """The events the app has written to its outbox, oldest first, optionally of one type."""
    database = app.extensions["tiepdan"]["db"]

    def read(event_type: str | None = None) -> list[dict]:
        with database.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT event_type, payload FROM outbox_events ORDER BY id")).all()
        return [json.loads(payload) for kind, payload in rows if event_type in (None, kind)]

    return read


@pytest.fixture
def caller() -> Callable[..., dict]:
    """Headers as the gateway sends them for a caller: ``caller(kind="commune", unit="31684", ...)``."""
    return identity_headers


@pytest.fixture
def reference_dir() -> Path:
    return REPO_ROOT / "reference"


@pytest.fixture
def demo_path() -> Path:
    return REPO_ROOT / "demo" / "demo.json"
