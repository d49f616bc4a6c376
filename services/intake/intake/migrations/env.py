"""Alembic environment for intake."""

# Importing the models registers their tables on Base.metadata.
import intake.confidential.models
import intake.petition.models
import intake.reference.models
import intake.visit.models  # noqa: F401
from intake.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
