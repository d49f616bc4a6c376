"""A hot spot announced, across aggregates: an active one alerts the police, and each open case it has just
linked is told (a change that matters, re-escalated by policy). Visits, incidents, corrections and officers
evaluate or change hot spots through here; the hot-spot, alert and case services stay leaves of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..alert import service as alerts
from ..case.flows import changes
from ..case.models import Case
from ..unit.domain import Directory
from . import corrections, scopes
from . import service as hotspots
from .models import Hotspot, VisitRecord


def follow(db_session: Session, announced: hotspots.Announced | None) -> None:
    """What a hot spot's announcement sets off, at once: the police's alert, its newly linked cases told."""
    if announced is None:
        return
    hotspot = announced.hotspot
    if hotspot.status == "active":
        alerts.raise_hotspot_alert(db_session=db_session, hotspot=hotspot, now=announced.at)
    for case_id in announced.newly_linked:
        case = db_session.get(Case, case_id)
        if case is not None and case.status != "closed":
            changes.settle(
                db_session,
                case,
                None,
                now=announced.at,
                also=[{"kind": "hotspot_linked", "source": {"type": "hotspot", "id": hotspot.id}}],
            )


def evaluate(*, db_session: Session, unit: str, field_code: str, at: dt.datetime) -> None:
    """Apply the rules to a commune and field's windows ending at ``at`` (an incident, a visit moved there)."""
    follow(db_session, hotspots.evaluate(db_session=db_session, unit=unit, field_code=field_code, at=at))


def evaluate_in(windows: hotspots.Windows, *, unit: str, field_code: str, at: dt.datetime) -> None:
    """:func:`evaluate` for a batch of visits, over the windows read once for it."""
    follow(windows.db_session, windows.evaluate(unit=unit, field_code=field_code, at=at))


def evaluate_scoped(*, db_session: Session, visits: list[dict], units: Directory | None) -> None:
    """The wider scopes' windows the stored ``visits`` fall in, each hot spot followed up before the next."""
    for announced in scopes.evaluate_scoped(db_session=db_session, visits=visits, units=units):
        follow(db_session, announced)


def move_visit(*, db_session: Session, record: VisitRecord, visit: dict, units: Directory | None) -> None:
    """A corrected visit moves between the windows; its new place is evaluated (it may detect a hot spot)."""
    if not corrections.move(db_session=db_session, record=record, visit=visit, units=units):
        return
    evaluate(db_session=db_session, unit=record.unit, field_code=record.field_code, at=record.received_at)
    evaluate_scoped(
        db_session=db_session,
        units=units,
        visits=[
            {
                "origin_unit": record.unit,
                "field": record.field_code,
                "received_at": visit["received_at"],
                "matter_key": record.matter_key,
            }
        ],
    )


def change(
    *, db_session: Session, hotspot: Hotspot, status: str | None, owner: str | None, note: str | None, now: dt.datetime
) -> Hotspot:
    """Set the owner, activate by hand (announced, the police alerted) or defuse a hot spot."""
    follow(
        db_session,
        hotspots.change(db_session=db_session, hotspot=hotspot, status=status, owner=owner, note=note, now=now),
    )
    return hotspot
