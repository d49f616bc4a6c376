"""Raising, listing and acknowledging the police's alerts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem

from ..case import timeline
from ..case.models import Case
from ..hotspot.models import Hotspot
from .models import Alert

MESSAGES = {
    "public_order": "Vụ việc {number} có nguy cơ ảnh hưởng an ninh trật tự: {title}",
    "incident": "Công an báo cáo sự việc liên quan vụ việc {number}: {title}",
    "escalation": "Đề nghị công an phối hợp xử lý vụ việc {number}: {title}",
}
HOTSPOT_MESSAGE = (
    "Điểm nóng đang hoạt động tại địa bàn {unit}, lĩnh vực {field}: {mass_visits} đoàn đông người, "
    "{citizens} công dân, {incidents} sự việc an ninh trật tự. Đề nghị công an nắm tình hình."
)


def raise_alert(*, db_session: Session, case: Case, reason: str, now: dt.datetime) -> Alert | None:
    """An alert for the police about ``case``, unless one is still unacknowledged."""
    pending = db_session.scalar(select(Alert.id).where(Alert.case_id == case.id, Alert.acknowledged_at.is_(None)))
    if pending is not None:
        return None
    alert = Alert(
        case_id=case.id,
        reason=reason,
        created_at=now,
        message=MESSAGES.get(reason, MESSAGES["public_order"]).format(
            number=case.number, title=case.public_title or ""
        )[:500],
    )
    db_session.add(alert)
    timeline.append(db_session, case, at=now, actor="system", kind="police_alerted", detail={"reason": reason})
    return alert


def raise_hotspot_alert(*, db_session: Session, hotspot: Hotspot, now: dt.datetime) -> Alert | None:
    """An alert for the police about a hot spot turning active (no case of its own), unless one is pending."""
    pending = db_session.scalar(select(Alert.id).where(Alert.hotspot_id == hotspot.id, Alert.acknowledged_at.is_(None)))
    if pending is not None:
        return None
    alert = Alert(
        hotspot_id=hotspot.id,
        reason="hotspot_active",
        created_at=now,
        message=HOTSPOT_MESSAGE.format(
            unit=hotspot.unit,
            field=hotspot.field_code,
            mass_visits=hotspot.mass_visits,
            citizens=hotspot.citizens,
            incidents=hotspot.incidents,
        )[:500],
    )
    db_session.add(alert)
    return alert


def list_alerts(*, db_session: Session, pending: bool | None, limit: int) -> list[tuple[Alert, Case | None]]:
    """Alerts newest first, each with its case (None for a hot spot's alert)."""
    stmt = select(Alert, Case).outerjoin(Case, Case.id == Alert.case_id).order_by(Alert.created_at.desc()).limit(limit)
    if pending is True:
        stmt = stmt.where(Alert.acknowledged_at.is_(None))
    elif pending is False:
        stmt = stmt.where(Alert.acknowledged_at.is_not(None))
    return [tuple(row) for row in db_session.execute(stmt)]


def get(*, db_session: Session, alert_id: str) -> tuple[Alert, Case]:
    row = db_session.execute(
        select(Alert, Case).outerjoin(Case, Case.id == Alert.case_id).where(Alert.id == alert_id)
    ).first()
    if row is None:
        raise Problem(404, "No such alert.")
    return tuple(row)
