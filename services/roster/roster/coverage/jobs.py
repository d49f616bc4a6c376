"""The coverage report's timed job: announce each gap ahead once, however many workers run."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from tiepdan_common.db import Database

from ..config import RosterSettings
from . import service

log = logging.getLogger(__name__)


def check_coverage_once(db: Database, settings: RosterSettings) -> int:
    """One pass of the coverage timer: announce gaps ahead not announced before."""
    try:
        with db.session() as session:
            return service.check_ahead(db_session=session, now=settings.clock(), days=settings.coverage_days)[
                "announced"
            ]
    except IntegrityError:
        # Another worker announced some of the same gaps at the same moment; its transaction won.
        log.info("coverage gaps announced concurrently by another worker")
        return 0
