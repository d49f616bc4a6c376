"""Alembic environment for roster."""

import roster.directory.models  # noqa: F401  (registers the tables)
import roster.duty.models  # noqa: F401
from roster.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
