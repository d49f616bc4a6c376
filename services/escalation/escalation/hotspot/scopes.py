"""Hot-spot rules as data (read, replace, delete), windows of the wider scopes, and cooling down by rule.

Rules of scope ``commune_field`` are evaluated visit by visit by :class:`service.Windows`. The wider
scopes are evaluated here after a batch of visits is stored: ``field`` (one field across the whole
unit: every commune of the district) and ``matter`` (one matter key, however the visits are spread).
A hot spot cools down (``defused`` by ``cooled``) when its rule sets ``cool_down_days`` and the hot
spot's window has had no mass visit and no incident for that many days. What a hot spot announced here
sets off (its alert, its cases told) is ``hotspot.flows``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.errors import Problem

from ..case.models import Case
from ..incident.models import Incident
from ..unit.domain import Directory
from . import domain, service
from .models import Hotspot, HotspotCase, HotspotRule, VisitRecord

log = logging.getLogger(__name__)
SCOPES = ("commune_field", "field", "matter")
OPEN_CASES = ("opened", "acknowledged", "in_progress", "citizens_returned", "resolved")


def list_rules(*, db_session: Session) -> list[HotspotRule]:
    return list(db_session.scalars(select(HotspotRule).order_by(HotspotRule.scope, HotspotRule.name)))


def put_rule(*, db_session: Session, name: str, **values) -> HotspotRule:
    """Create or replace the rule called ``name``; it needs at least one threshold."""
    if all(values.get(key) is None for key in ("min_mass_visits", "min_citizens", "min_incidents")):
        raise Problem(
            422,
            "min_mass_visits: a rule needs at least one threshold",
            errors=[
                {
                    "field": "min_mass_visits",
                    "message": "set at least one of min_mass_visits, min_citizens, min_incidents",
                }
            ],
        )
    rule = db_session.scalar(select(HotspotRule).where(HotspotRule.name == name))
    if rule is None:
        rule = HotspotRule(id=str(uuid.uuid4()), name=name)
        db_session.add(rule)
    for key, value in values.items():
        setattr(rule, key, value)
    db_session.flush()
    return rule


def delete_rule(*, db_session: Session, name: str) -> None:
    rule = db_session.scalar(select(HotspotRule).where(HotspotRule.name == name))
    if rule is None:
        raise Problem(404, "No such hot-spot rule.")
    db_session.delete(rule)


def _district(units: Directory | None, unit: str, at: dt.datetime) -> str:
    """The unit a commune belonged to at ``at`` (the whole unit a ``field`` window covers)."""
    if units is None:
        return unit
    return units.unit(unit, local_date(at)).get("parent") or unit


def _visit_filter(hotspot_scope: str, unit: str, field_code: str, matter_key: str) -> list[ColumnElement]:
    if hotspot_scope == "field":
        return [VisitRecord.field_code == field_code]
    if hotspot_scope == "matter":
        return [VisitRecord.matter_key == matter_key]
    return [VisitRecord.unit == unit, VisitRecord.field_code == field_code]


def _case_filter(hotspot_scope: str, unit: str, field_code: str, matter_key: str) -> list[ColumnElement]:
    if hotspot_scope == "field":
        return [Case.field_code == field_code]
    if hotspot_scope == "matter":
        return [Case.matter_key == matter_key]
    return [Case.unit == unit, Case.field_code == field_code]


def _incident_filter(hotspot_scope: str, unit: str, field_code: str) -> list[ColumnElement]:
    same_field = or_(Incident.field_code == field_code, Incident.field_code.is_(None))
    return [same_field] if hotspot_scope == "field" else [Incident.unit == unit, same_field]


def _counts(
    db_session: Session, key: tuple[str, str, str, str], since: dt.datetime, until: dt.datetime
) -> domain.Counts:
    scope, unit, field_code, matter_key = key
    mass, citizens = db_session.execute(
        select(
            func.count().filter(VisitRecord.is_mass.is_(True)), func.coalesce(func.sum(VisitRecord.group_size), 0)
        ).where(
            *_visit_filter(scope, unit, field_code, matter_key),
            VisitRecord.received_at > since,
            VisitRecord.received_at <= until,
        )
    ).one()
    incidents = (
        0
        if scope == "matter"
        else db_session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(
                *_incident_filter(scope, unit, field_code), Incident.occurred_at > since, Incident.occurred_at <= until
            )
        )
    )
    return domain.Counts(mass_visits=mass or 0, citizens=int(citizens or 0), incidents=incidents or 0)


def evaluate_scoped(*, db_session: Session, visits: list[dict], units: Directory | None) -> Iterator[service.Announced]:
    """Apply the rules of the wider scopes to the windows the stored ``visits`` fall in (each place once).

    Lazily, place by place: each hot spot announced is yielded, to be followed up before the next place is read.
    """
    rules = list(
        db_session.scalars(
            select(HotspotRule)
            .where(HotspotRule.active.is_(True), HotspotRule.scope.in_(("field", "matter")))
            .order_by(HotspotRule.name)
        )
    )
    if not rules:
        return
    places: dict[tuple[str, str, str, str], dt.datetime] = {}
    for visit in visits:
        at = dt.datetime.fromisoformat(visit["received_at"])
        matter = visit.get("matter_key") or f"{visit['origin_unit']}:{visit['field']}"
        for key in {
            ("field", _district(units, visit["origin_unit"], at), visit["field"], ""),
            ("matter", visit["origin_unit"], visit["field"], matter),
        }:
            places[key] = max(at, places.get(key, at))
    for key, at in sorted(places.items()):
        announced = _evaluate(db_session, key, [r for r in rules if r.scope == key[0]], at)
        if announced is not None:
            yield announced


def _evaluate(
    db_session: Session, key: tuple[str, str, str, str], rules: list[HotspotRule], at: dt.datetime
) -> service.Announced | None:
    scope, unit, field_code, matter_key = key
    best = None
    for rule in rules:
        if rule.field_code and rule.field_code != field_code:
            continue
        seen = _counts(db_session, key, at - dt.timedelta(days=rule.window_days), at)
        pure = domain.Rule(
            name=rule.name,
            window_days=rule.window_days,
            status=rule.status,
            min_mass_visits=rule.min_mass_visits,
            min_citizens=rule.min_citizens,
            min_incidents=rule.min_incidents,
        )
        if domain.crossed(pure, seen) and (best is None or domain.stronger(rule.status, best[0].status)):
            best = (rule, seen)
    if best is None:
        return None
    rule, seen = best
    hotspot = service.open_hotspot(
        db_session=db_session, unit=unit, field_code=field_code, scope=scope, matter_key=matter_key
    )
    if hotspot is not None and not domain.stronger(rule.status, hotspot.status):
        hotspot.mass_visits, hotspot.citizens, hotspot.incidents = seen.mass_visits, seen.citizens, seen.incidents
        return None
    linked: list[str] = []
    if hotspot is None:
        hotspot = Hotspot(
            id=str(uuid.uuid4()),
            scope=scope,
            unit=unit,
            field_code=field_code,
            matter_key=matter_key,
            status=rule.status,
            rule=rule.name,
            detected_at=at,
        )
        db_session.add(hotspot)
        linked = sorted(db_session.scalars(select(Case.id).where(*_case_filter(*key), Case.status.in_(OPEN_CASES))))
        for case_id in linked:
            db_session.add(HotspotCase(hotspot_id=hotspot.id, case_id=case_id))
    hotspot.status, hotspot.rule = rule.status, rule.name
    if rule.status == "active":
        hotspot.activated_at = at
    hotspot.mass_visits, hotspot.citizens, hotspot.incidents = seen.mass_visits, seen.citizens, seen.incidents
    db_session.flush()
    service.announce(db_session=db_session, hotspot=hotspot, window_days=rule.window_days, at=at)
    return service.Announced(hotspot=hotspot, at=at, newly_linked=tuple(linked))


def cool_down(*, db_session: Session, now: dt.datetime) -> list[Hotspot]:
    """Defuse the open hot spots whose rule's ``cool_down_days`` passed with no mass visit and no incident."""
    days = {rule.name: rule.cool_down_days for rule in db_session.scalars(select(HotspotRule))}
    cooled = []
    for hotspot in db_session.scalars(
        select(Hotspot).where(Hotspot.status.in_(service.OPEN)).with_for_update(skip_locked=True)
    ):
        quiet = days.get(hotspot.rule)
        if not quiet:
            continue
        since = now - dt.timedelta(days=quiet)
        if max(hotspot.activated_at or hotspot.detected_at, hotspot.detected_at) > since:
            continue
        key = (hotspot.scope, hotspot.unit, hotspot.field_code, hotspot.matter_key)
        seen = _counts(db_session, key, since, now)
        if seen.mass_visits or seen.incidents:
            continue
        hotspot.status, hotspot.defused_at, hotspot.defused_by = "defused", now, "cooled"
        hotspot.mass_visits, hotspot.citizens, hotspot.incidents = seen.mass_visits, seen.citizens, seen.incidents
        # Defused: no alert, no case newly linked; nothing for the flows to follow up.
        service.announce(db_session=db_session, hotspot=hotspot, window_days=quiet, at=now)
        cooled.append(hotspot)
    return cooled
