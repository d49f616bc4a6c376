"""What escalation does with intake's and notify's events: the consumers of the worker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from tiepdan_common.clock import Clock
from tiepdan_common.context import correlated
from tiepdan_common.messaging.consumer import Consumer
from tiepdan_common.messaging.envelope import Envelope

from ..database import outbox
from ..summary import service as summary
from .flows import handling, visits
from .models import Case


def intake_consumer(*, mass_case_size: int, reference_dir: Path, clock: Clock) -> Consumer:
    """Keeps every visit's numbers for the hot spots; opens a case for a mass, repeated or over-level visit."""

    def on_visits(db_session: Session, events: list[Envelope]) -> None:
        """Visits in the order they came, each with the effect it would have alone, at a batch's cost.

        The hot-spot windows are read once for the batch (``hotspot.service.Windows``) and the
        visit records written together at the end; cases are opened or joined visit by visit,
        with what that reads (``_Cases``) read once, and the new cases written at the end too.
        """
        with outbox.collected(db_session):  # the batch's events in one insert
            visits.record_visits(
                db_session, events, mass_case_size=mass_case_size, reference_dir=reference_dir, now=clock()
            )

    def on_visit(db_session: Session, event: Envelope) -> None:
        on_visits(db_session, [event])

    def on_overdue(db_session: Session, event: Envelope) -> None:
        summary.record_overdue(db_session=db_session, item=event.data)

    def on_corrected(db_session: Session, event: Envelope) -> None:
        with correlated(event.correlation_id):
            visits.correct_visit(db_session, event.data, reference_dir=reference_dir, now=clock())

    return Consumer(
        "intake-events",
        {
            "intake.visit.recorded": on_visit,
            "intake.petition.overdue": on_overdue,
            "intake.visit.corrected": on_corrected,
        },
        batch_handlers={"intake.visit.recorded": on_visits},
    )


def notify_consumer() -> Consumer:
    """An acknowledged message about a case stops its escalation."""

    def on_acknowledged(db_session: Session, event: Envelope) -> None:
        ack = event.data
        case = db_session.get(Case, ack["case_id"]) if ack.get("case_id") else None
        if case is None:
            return
        handling.acknowledge(
            db_session=db_session,
            case=case,
            by=ack["recipient"],
            via=ack["via"],
            now=dt.datetime.fromisoformat(ack["acknowledged_at"]),
            message_id=ack["message_id"],
        )

    return Consumer("notify-events", {"notify.message.acknowledged": on_acknowledged})
