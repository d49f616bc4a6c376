"""What notify does with other services' events: the rules turn each into messages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tiepdan_common.context import correlated
from tiepdan_common.messaging.consumer import Consumer
from tiepdan_common.messaging.envelope import Envelope

from .ack.service import stop_case
from .audience.roster_client import RosterClient
from .config import NotifySettings
from .dispatch import Lookups, Staged, dispatch, told_about
from .units import service as units

CASE_EVENTS = (
    "escalation.case.opened",
    "escalation.case.escalated",
    "escalation.case.acknowledged",
    "escalation.case.closed",
    "escalation.hotspot.detected",
    "escalation.incident.reported",
    "escalation.province_request.received",
    "escalation.province_request.completed",
    "escalation.daily_summary.ready",
    "escalation.case.changed",
    "escalation.province_request.updated",
    "escalation.province_request.overdue",
    "escalation.task.assigned",
    "escalation.task.overdue",
    "escalation.incident.updated",
)
ROSTER_EVENTS = ("roster.shift.starting", "roster.coverage.gap")
INTAKE_EVENTS = ("intake.petition.overdue", "intake.petition.step_recorded")


def roster_client(settings: NotifySettings) -> RosterClient:
    """Notify's client of roster, through the gateway with its own credentials."""
    return RosterClient(
        gateway_url=settings.gateway_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        timeout=settings.roster_timeout,
        cache_seconds=settings.roster_cache_seconds,
        clock=settings.clock,
    )


def event_handlers(settings: NotifySettings, roster) -> tuple:
    """The handlers every consumer uses, for one event and for several in order: stop ladders when a case is
    settled, then apply the rules. The batch one reads who was told already once for all its events and
    writes their messages and deliveries in two statements."""
    clock = settings.clock

    def handle_batch(db_session: Session, events: list[Envelope]) -> None:
        lookups = Lookups.of(db_session)  # a consumer's batch is one session: rules and ladders are read once
        told = told_about(db_session=db_session, event_ids=[event.id for event in events])
        staged = Staged()
        for event in events:
            now = clock()
            data = event.data
            with correlated(event.correlation_id):
                if event.type in ("escalation.case.acknowledged", "escalation.case.closed"):
                    staged.write(db_session)  # the ladders it stops include those staged for earlier events
                    stop_case(
                        db_session=db_session,
                        case_id=data["case_id"],
                        now=now,
                        closed=event.type == "escalation.case.closed",
                        reason=f"case {event.type.rsplit('.', 1)[-1]}",
                    )
                dispatch(
                    db_session=db_session,
                    event_id=event.id,
                    event_type=event.type,
                    data=data,
                    roster=roster,
                    settings=settings,
                    now=now,
                    lookups=lookups,
                    told=told[event.id],
                    staged=staged,
                )
        staged.write(db_session)

    def handle(db_session: Session, event: Envelope) -> None:
        handle_batch(db_session, [event])

    return handle, handle_batch


def event_handler(settings: NotifySettings, roster) -> callable:
    """The handler of one event (see :func:`event_handlers`)."""
    return event_handlers(settings, roster)[0]


def _consumer(name: str, types: tuple, settings: NotifySettings, roster) -> Consumer:
    handle, handle_batch = event_handlers(settings, roster or roster_client(settings))
    # One batch handler for every type: a batch's events, whatever their mix, go through it together.
    return Consumer(name, {t: handle for t in types}, batch_handlers={t: handle_batch for t in types})


def case_consumer(settings: NotifySettings, roster: RosterClient | None = None) -> Consumer:
    """Escalation's events: cases, hot spots, incidents, province requests, the daily summary."""
    return _consumer("case-events", CASE_EVENTS, settings, roster)


def roster_consumer(settings: NotifySettings, roster: RosterClient | None = None) -> Consumer:
    """Roster's events: shifts starting, coverage gaps."""
    return _consumer("roster-events", ROSTER_EVENTS, settings, roster)


def intake_consumer(settings: NotifySettings, roster: RosterClient | None = None) -> Consumer:
    """Intake's events: overdue petitions, and petition steps (a matter returned to a commune, a deadline moved)."""
    return _consumer("intake-events", INTAKE_EVENTS, settings, roster)


def consumers(settings: NotifySettings, roster: RosterClient | None = None) -> list[Consumer]:
    """Every consumer the notify worker runs (one roster client shared: it is thread-safe for tokens), and the one
    that keeps notify's copy of unit names (``intake.reference.changed``)."""
    roster = roster or roster_client(settings)
    return [
        case_consumer(settings, roster),
        roster_consumer(settings, roster),
        intake_consumer(settings, roster),
        units.consumer(settings),
    ]
