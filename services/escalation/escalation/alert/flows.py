"""An alert's acknowledgement across aggregates: the alert, its case and the case's escalation.

The only module of the alert package that imports other packages' services, so that alert, case and
policy services stay leaves without a cycle between them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..case import timeline
from ..case.flows import handling
from ..case.models import Case
from ..policy import service as policies
from . import service as alerts
from .models import Alert


def acknowledge(*, db_session: Session, alert_id: str, by: str, now: dt.datetime) -> tuple[Alert, Case]:
    """The police read the alert; if the last escalation step was for them, it counts as the acknowledgement."""
    alert, case = alerts.get(db_session=db_session, alert_id=alert_id)
    if alert.acknowledged_at is not None:
        return alert, case
    alert.acknowledged_at, alert.acknowledged_by = now, by
    if case is None:  # a hot spot's alert
        return alert, case
    timeline.append(db_session, case, at=now, actor=by, kind="police_acknowledged", detail={"alert_id": alert.id})
    if policies.current_target_type(db_session=db_session, case_id=case.id) == "police":
        handling.acknowledge(db_session=db_session, case=case, by=by, via="api", now=now)
    return alert, case
