"""Alembic environment for roster."""

# Imported for their side effect: each module registers its tables on Base.metadata.
import roster.audit.models
import roster.coverage.models
import roster.directory.models
import roster.duty.models
import roster.exports.models
import roster.leave.models
import roster.reception.models
import roster.swaps.models  # noqa: F401
from roster.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
