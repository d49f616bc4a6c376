"""Alembic migrations of the gateway database (run with ``tiepdan-gateway-admin migrate``)."""

from pathlib import Path

MIGRATIONS_PATH = Path(__file__).parent
