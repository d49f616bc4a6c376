"""Alembic environment for intake."""

# Importing the models registers their tables on Base.metadata.
import intake.confidential.models  # noqa: F401
import intake.petition.models  # noqa: F401
import intake.reference.models  # noqa: F401
import intake.visit.models  # noqa: F401
from intake.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
