"""A visit corrected or voided at intake leaves (or moves between) the hot-spot windows.

The windows count the stored visit records, so a voided visit's record is deleted and a corrected one's
place, time and size follow. The figures an open hot spot shows (``mass_visits``, ``citizens``) drop
what the visit gave them when it fell in the hot spot's window, and a moved visit is evaluated at its new
place by ``hotspot.flows.move_visit`` (which may detect a hot spot there). A hot spot is never lowered here: one left below its rule's
thresholds is defused by the cooler (``cool_down_days``, the voided visit no longer counting) or by hand.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..unit.domain import Directory
from . import scopes
from . import service as hotspots
from .models import Hotspot, HotspotRule, VisitRecord

DEFAULT_WINDOW_DAYS = 7  # a hot spot activated by hand names no rule


def _adjust(db_session: Session, record: VisitRecord, sign: int, units: Directory | None) -> None:
    """Add (1) or take (-1) the visit's numbers to or from the open hot spots whose window holds it."""
    place = or_(
        and_(Hotspot.scope == hotspots.PLACE, Hotspot.unit == record.unit, Hotspot.field_code == record.field_code),
        and_(
            Hotspot.scope == "field",
            Hotspot.unit == scopes._district(units, record.unit, record.received_at),
            Hotspot.field_code == record.field_code,
        ),
        and_(Hotspot.scope == "matter", Hotspot.matter_key == (record.matter_key or "")),
    )
    found = list(db_session.scalars(select(Hotspot).where(place, Hotspot.status.in_(hotspots.OPEN))))
    if not found:
        return
    windows = dict(db_session.execute(select(HotspotRule.name, HotspotRule.window_days)).all())
    for hotspot in found:
        days = windows.get(hotspot.rule) or DEFAULT_WINDOW_DAYS
        if not hotspot.detected_at - dt.timedelta(days=days) < record.received_at:
            continue  # before the hot spot's window: it never counted there
        hotspot.mass_visits = max(0, hotspot.mass_visits + sign * int(record.is_mass))
        hotspot.citizens = max(0, hotspot.citizens + sign * record.group_size)


def withdraw(*, db_session: Session, record: VisitRecord, units: Directory | None) -> None:
    """A voided visit: it no longer counts in any window."""
    _adjust(db_session, record, -1, units)
    db_session.delete(record)


def move(*, db_session: Session, record: VisitRecord, visit: dict, units: Directory | None) -> bool:
    """A corrected visit: its unit, field, time and (when given) size follow. Whether any changed (then the new
    place is to be evaluated)."""
    after = {
        "unit": visit["origin_unit"],
        "field_code": visit["field"],
        "received_at": dt.datetime.fromisoformat(visit["received_at"]),
        "group_size": visit.get("group_size", record.group_size),
        "is_mass": visit.get("is_mass", record.is_mass),
    }
    if all(getattr(record, name) == value for name, value in after.items()):
        return False
    _adjust(db_session, record, -1, units)
    for name, value in after.items():
        setattr(record, name, value)
    _adjust(db_session, record, 1, units)
    db_session.flush()
    return True
