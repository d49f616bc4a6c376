"""Helpers for tests: throwaway PostgreSQL databases, isolated broker names, gateway identities."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from .identity import IDENTITY_HEADER, Identity, sign_identity

if TYPE_CHECKING:
    from flask import Flask

T = TypeVar("T")

TEST_IDENTITY_KEY = "test-identity-key-0123456789abcdef0123"


def admin_postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def postgres_database(prefix: str = "tiepdan_test") -> Iterator[str]:
    """Create a uniquely named PostgreSQL database, yield its URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    # NullPool: a fresh connection each time, so a PostgreSQL restart in between does no harm.
    admin = sa.create_engine(admin_postgres_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def isolated_broker_names(prefix: str = "test") -> dict:
    """An exchange and queue prefix no other test run uses."""
    tag = uuid.uuid4().hex[:10]
    return {"exchange": f"{prefix}.{tag}.events", "queue_prefix": f"{prefix}.{tag}"}


def identity_headers(
    *,
    subject: str = "test-client",
    kind: str = "district",
    unit: str | None = "947",
    roles: tuple[str, ...] = (),
    permissions: tuple[str, ...] = (),
    officer: str | None = None,
    key: str = TEST_IDENTITY_KEY,
    ttl: int = 60,
) -> dict:
    """Headers as the gateway would send them for such a caller."""
    identity = Identity(
        subject=subject, kind=kind, unit=unit, roles=tuple(roles), permissions=tuple(permissions), officer=officer
    )
    return {IDENTITY_HEADER: sign_identity(identity, key, ttl=ttl)}


def wait_for(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05, message: str = "") -> T:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout}s (last: {last!r})")


def migrated_app(
    create_app: Callable[[dict[str, Any]], Flask], database_url: str, *seed_args: str, **overrides: Any
) -> Flask:
    """Create a service app on ``database_url``, migrate it and run its seed command."""
    app = create_app({"database_url": database_url, "identity_keys": (TEST_IDENTITY_KEY,), **overrides})
    app.config["TESTING"] = True
    runner = app.test_cli_runner()
    for args in (["migrate"], ["seed", *seed_args]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app
