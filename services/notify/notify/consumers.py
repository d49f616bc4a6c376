"""What notify does with other services' events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tiepdan_common.config import Settings
from tiepdan_common.messaging.consumer import Consumer
from tiepdan_common.messaging.envelope import Envelope

from .audience.roster_client import RosterClient
from .audience.service import on_duty_audience
from .inbox import service as inbox
from .inbox.models import ack_code
from .rendering import render


def case_consumer(settings: Settings, roster: RosterClient | None = None) -> Consumer:
    """Tells the officers on duty (and the leader on call for serious cases) about every new case."""
    extra = settings.extra
    roster = roster or RosterClient(gateway_url=extra["gateway_url"], client_id=extra["client_id"],
                                    client_secret=extra["client_secret"], timeout=extra["roster_timeout"])

    def on_case_opened(db_session: Session, event: Envelope) -> None:
        case = event.data
        audience, fallback = on_duty_audience(
            roster, include_leader=case["severity"] in ("high", "critical"), fallback=extra["fallback_recipients"]
        )
        for person in audience:
            code = ack_code()
            title, body = render(event.type, {**case, "ack_code": code})
            inbox.deliver(db_session=db_session, recipient=person.code, event_id=event.id, event_type=event.type,
                          case_id=case["case_id"], severity=case["severity"], title=title, body=body,
                          ack_code=code, via_fallback=fallback)

    return Consumer("case-events", {"escalation.case.opened": on_case_opened})


def consumers(settings: Settings) -> list[Consumer]:
    """Every consumer the notify worker runs."""
    return [case_consumer(settings)]
