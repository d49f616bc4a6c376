"""A due escalation step across aggregates: sent by the policy service, and when it goes to the police, an
alert of theirs raised too (``GET /alerts``). The policy and alert services stay leaves of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..alert import service as alerts
from ..case.models import Case
from . import service
from .models import Escalation


def fire(*, db_session: Session, escalation: Escalation, now: dt.datetime) -> bool:
    """Fire a due escalation the caller holds locked; whether a step was sent."""
    target = service.fire(db_session=db_session, escalation=escalation, now=now)
    if target is None:
        return False
    if target["type"] == "police":
        case = db_session.get(Case, escalation.case_id)
        alerts.raise_alert(db_session=db_session, case=case, reason="escalation", now=now)
    return True
