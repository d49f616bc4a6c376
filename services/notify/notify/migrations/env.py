"""Alembic environment for notify."""

import notify.inbox.models  # noqa: F401  (registers the tables)
from notify.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
