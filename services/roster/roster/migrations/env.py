"""Alembic environment for roster."""

import roster.audit.models  # noqa: F401  (registers the tables)
import roster.coverage.models  # noqa: F401
import roster.directory.models  # noqa: F401
import roster.duty.models  # noqa: F401
import roster.exports.models  # noqa: F401
import roster.leave.models  # noqa: F401
import roster.reception.models  # noqa: F401
import roster.swaps.models  # noqa: F401
from roster.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
