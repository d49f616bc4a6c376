"""Alembic environment for escalation."""

import escalation.models  # noqa: F401  (registers the tables)
from escalation.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
