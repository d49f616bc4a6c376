"""Alembic helpers: running a service's migrations, and the shared infrastructure tables."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.operations import Operations

# The channel the relay listens on (tiepdan_common.messaging.relay); part of the frozen trigger above.
OUTBOX_NOTIFY_CHANNEL = "tiepdan_outbox"


def alembic_config(script_location: str | Path, database_url: str) -> Config:
    """An Alembic configuration for a service's migrations folder and database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(script_location: str | Path, database_url: str, revision: str = "head") -> None:
    """Bring the database to ``revision``."""
    command.upgrade(alembic_config(script_location, database_url), revision)


def create_infrastructure_tables_v1(op: Operations) -> None:
    """Outbox, processed messages and idempotency records, as first released (frozen: never edit)."""
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
    )
    op.create_index("ix_outbox_events_pending", "outbox_events", ["published_at", "id"])
    op.create_table(
        "processed_messages",
        sa.Column("consumer", sa.String(120), primary_key=True),
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("caller", sa.String(120), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("response_headers", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("caller", "key", name="uq_idempotency_caller_key"),
    )


def outbox_notify_trigger_v1(dialect: str) -> list[str]:
    """On PostgreSQL, an insert into the outbox notifies the relay when its transaction commits (frozen).

    One notification per statement; PostgreSQL folds identical notifications of a
    transaction into one and delivers them only if it commits. SQLite: nothing (the
    relay polls).
    """
    if dialect != "postgresql":
        return []
    return [
        "CREATE FUNCTION tiepdan_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{OUTBOX_NOTIFY_CHANNEL}', ''); RETURN NULL; END $$",
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION tiepdan_outbox_notify()",
    ]


def create_outbox_notify_trigger_v1(op: Operations) -> None:
    for statement in outbox_notify_trigger_v1(op.get_bind().dialect.name):
        op.execute(statement)


def drop_outbox_notify_trigger_v1(op: Operations) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS outbox_events_notify ON outbox_events")
        op.execute("DROP FUNCTION IF EXISTS tiepdan_outbox_notify()")


def run_env(metadata: sa.MetaData | None) -> None:
    """The body of a service's ``migrations/env.py``: migrate online with the configured URL."""
    from alembic import context
    from sqlalchemy import engine_from_config, pool

    from .db import multi_host_url

    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("the Alembic configuration names no sqlalchemy.url")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    config.set_main_option("sqlalchemy.url", multi_host_url(url).replace("%", "%%"))
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
