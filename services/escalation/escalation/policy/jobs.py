"""The escalation timer: claims due escalations under a row lock and fires each step exactly once.

Two workers may run it at once. On PostgreSQL, ``SELECT ... FOR UPDATE SKIP LOCKED``
gives each due escalation to one of them; under the lock ``fire`` re-checks that
the escalation is still live and due. Two more guards hold where row locks do
not exist (SQLite): the row's version column (an UPDATE that finds another
version fails) and the unique key of the steps sent.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.exc import StaleDataError

from tiepdan_common.clock import Clock, utcnow
from tiepdan_common.db import Database

from ..case.models import Case
from . import domain, flows, service
from .models import Escalation, EscalationPolicy

log = logging.getLogger(__name__)


def run_due(*, db: Database, now, limit: int = 100) -> int:
    """Fire every escalation due at ``now`` (up to ``limit``) in one transaction; the number of steps sent.

    Each escalation is fired in its own savepoint: one that raises is rolled back alone, its step goes
    to the fallback target instead (:func:`service.fail_over`, on the case's timeline), and the others
    are sent. A lost race (SQLite: another worker changed the row) skips that escalation only.
    """
    with db.sessionmaker() as session:
        try:
            due = session.scalars(
                select(Escalation)
                .where(Escalation.status.in_(domain.LIVE_STATUSES), Escalation.next_step_at <= now)
                .order_by(Escalation.next_step_at, Escalation.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            # One query each for the batch's cases and policies, kept referenced so that ``fire`` finds
            # them in the session; the timelines are only appended to here, never read.
            cases = (
                session.scalars(
                    select(Case).where(Case.id.in_([e.case_id for e in due])).options(lazyload(Case.timeline))
                ).all()
                if due
                else []
            )
            policies = session.scalars(select(EscalationPolicy)).all() if due else []
            fired = sum(1 for escalation in due if _fire_one(session, escalation, now))
            session.commit()
            del cases, policies
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            # Another worker got there first (SQLite only: PostgreSQL skipped the locked rows).
            session.rollback()
            log.info("escalation timer lost a race, retrying next tick: %s", type(exc).__name__)
            return 0
        return fired


def _fire_one(session, escalation: Escalation, now) -> bool:
    """``flows.fire`` in a savepoint; a step that raises goes to the fallback target instead."""
    escalation_id = escalation.id
    try:
        with session.begin_nested():
            return flows.fire(db_session=session, escalation=escalation, now=now)
    except (StaleDataError, IntegrityError):
        log.info("escalation %s: another worker sent this step", escalation_id)
        return False
    except OperationalError:
        raise
    except Exception as exc:  # one broken escalation must not hold back the others
        log.exception("escalation %s failed; its step goes to the fallback target", escalation_id)
        try:
            with session.begin_nested():
                service.fail_over(db_session=session, escalation_id=escalation_id, now=now, error=type(exc).__name__)
            return True
        except (StaleDataError, IntegrityError):
            return False


class EscalationTimer:
    """A worker component: every ``interval`` seconds, fire what is due by ``clock()``, batch after batch."""

    name = "escalation-timer"

    def __init__(self, db: Database, *, clock: Clock = utcnow, interval: float = 1.0, batch: int = 100) -> None:
        self.db = db
        self.clock = clock
        self.interval = interval
        self.batch = batch
        self.fired = 0

    def tick(self) -> int:
        """Fire everything due now; returns the number of steps sent."""
        total = 0
        while True:
            fired = run_due(db=self.db, now=self.clock(), limit=self.batch)
            total += fired
            if fired < self.batch:
                break
        self.fired += total
        return total

    def run(self, stop) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("escalation timer failed")
            stop.wait(self.interval)
