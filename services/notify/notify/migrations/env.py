"""Alembic environment for notify."""

import notify.audience.models  # each import registers its tables
import notify.delivery.models
import notify.inbox.models
import notify.notices.models
import notify.rules.models
import notify.units.models  # noqa: F401
from notify.database import Base
from tiepdan_common.migrations import run_env

run_env(Base.metadata)
