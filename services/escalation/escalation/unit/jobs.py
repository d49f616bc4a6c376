"""What escalation does with ``intake.reference.changed``: a unit an administrator adds or changes in intake
is named by its new name here too (other tables are not escalation's).

Idempotent: the consumer machinery drops a redelivered message by id, and a change not newer than the row
(intake's ``reference_version``) is ignored, so out-of-order messages converge.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from tiepdan_common.clock import Clock
from tiepdan_common.messaging.consumer import Consumer
from tiepdan_common.messaging.envelope import Envelope

from . import service

EVENT = "intake.reference.changed"


def reference_consumer(*, reference_dir: Path, clock: Clock) -> Consumer:
    """Applies intake's unit changes to the copy (seeding it from the files first when a worker finds it empty)."""

    def on_changed(db_session: Session, event: Envelope) -> None:
        if event.data.get("table") != "units":
            return
        if service.empty(db_session):
            service.seed(db_session=db_session, reference_dir=reference_dir)
        service.apply_change(db_session=db_session, change=event.data, now=clock())

    return Consumer("reference-events", {EVENT: on_changed})
