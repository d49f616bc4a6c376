"""Alembic environment for intake."""

import intake.reference.models  # noqa: F401  (registers the tables)
import intake.visit.models  # noqa: F401
from intake.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
