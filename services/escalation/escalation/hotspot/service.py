"""Recording visits, evaluating the hot-spot rules over their windows, and following hot spots.

A leaf: it reads cases and incidents (their models) for the windows and imports no other aggregate's service.
A hot spot announced here is returned as :class:`Announced`; its police alert and the cases it linked being
told are ``hotspot.flows``. Long because ``Windows`` (a batch's windows as prefix sums) and the single-visit
evaluation must give the same result and are tested against each other; the wider scopes, corrections and
rules are in their own modules.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import uuid

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem
from tiepdan_common.identity import Identity

from ..case.models import Case
from ..clock import iso
from ..database import outbox
from ..incident.models import Incident
from . import domain
from .models import Hotspot, HotspotCase, HotspotRule, VisitRecord

OPEN = ("watching", "active")
# The scope of the windows this module evaluates visit by visit: one commune and field (see hotspot.scopes).
PLACE = "commune_field"
OPEN_CASE_STATUSES = ("opened", "acknowledged", "in_progress", "citizens_returned", "resolved")


@dataclasses.dataclass(frozen=True)
class Announced:
    """A hot spot just announced (``escalation.hotspot.detected``), for the flows to follow up at once.

    Active, it alerts the police; ``newly_linked``: the open cases it has just linked, each to be told.
    """

    hotspot: Hotspot
    at: dt.datetime
    newly_linked: tuple[str, ...] = ()


def counts(*, db_session: Session, unit: str, field_code: str, since: dt.datetime, until: dt.datetime) -> domain.Counts:
    """Mass visits, citizens and incidents in ``unit`` about ``field_code`` between ``since`` and ``until``."""
    in_window = (
        VisitRecord.unit == unit,
        VisitRecord.field_code == field_code,
        VisitRecord.received_at > since,
        VisitRecord.received_at <= until,
    )
    mass, citizens = db_session.execute(
        select(
            func.count().filter(VisitRecord.is_mass.is_(True)), func.coalesce(func.sum(VisitRecord.group_size), 0)
        ).where(*in_window)
    ).one()
    incidents = db_session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.unit == unit,
            or_(Incident.field_code == field_code, Incident.field_code.is_(None)),
            Incident.occurred_at > since,
            Incident.occurred_at <= until,
        )
    )
    return domain.Counts(mass_visits=mass or 0, citizens=int(citizens or 0), incidents=incidents or 0)


def trend(*, db_session: Session, unit: str, field_code: str, at: dt.datetime, weeks: int = 4) -> list[dict]:
    """The last ``weeks`` seven-day windows ending at ``at``, oldest first: is the place heating up or cooling?"""
    out = []
    for back in range(weeks - 1, -1, -1):
        until = at - dt.timedelta(days=7 * back)
        week = counts(
            db_session=db_session, unit=unit, field_code=field_code, since=until - dt.timedelta(days=7), until=until
        )
        out.append(
            {"until": until, "mass_visits": week.mass_visits, "citizens": week.citizens, "incidents": week.incidents}
        )
    return out


def open_hotspot(
    *, db_session: Session, unit: str, field_code: str, scope: str = PLACE, matter_key: str = ""
) -> Hotspot | None:
    """The open hot spot of a commune and field (or of another scope's window)."""
    return db_session.scalar(
        select(Hotspot)
        .where(
            Hotspot.scope == scope,
            Hotspot.unit == unit,
            Hotspot.field_code == field_code,
            Hotspot.matter_key == matter_key,
            Hotspot.status.in_(OPEN),
        )
        .limit(1)
    )


def evaluate(*, db_session: Session, unit: str, field_code: str, at: dt.datetime) -> Announced | None:
    """Apply every rule to the windows ending at ``at``; detect or activate a hot spot when one is crossed."""
    windows = Windows(db_session=db_session, places={(unit, field_code)}, earliest=at, latest=at)
    return windows.evaluate(unit=unit, field_code=field_code, at=at)


class _Place:
    """One unit and field: the stored visits as prefix sums by time, and the visits added since they were read."""

    def __init__(self) -> None:
        self.times: list[dt.datetime] = []
        self.mass = [0]
        self.citizens = [0]
        self.added: list[tuple[dt.datetime, bool, int]] = []

    def counts(self, since: dt.datetime, until: dt.datetime) -> tuple[int, int]:
        lo, hi = bisect.bisect_right(self.times, since), bisect.bisect_right(self.times, until)
        mass, citizens = self.mass[hi] - self.mass[lo], self.citizens[hi] - self.citizens[lo]
        for at, is_mass, size in self.added:
            if since < at <= until:
                mass += is_mass
                citizens += size
        return mass, citizens


class Windows:
    """The numbers every rule's window needs for some places and times, read once and kept in memory.

    A batch of visits is evaluated visit by visit, exactly as if each were handled
    alone: the stored visits are read once (grouped by time, as prefix sums), and the
    batch's own visits are counted from memory as they are added, in order.
    """

    def __init__(
        self, *, db_session: Session, places: set[tuple[str, str]], earliest: dt.datetime, latest: dt.datetime
    ) -> None:
        self.db_session = db_session
        self.rules = list(
            db_session.scalars(
                select(HotspotRule)
                .where(HotspotRule.active.is_(True), HotspotRule.scope == PLACE)
                .order_by(HotspotRule.name)
            )
        )
        # Each rule with its window and its pure form, made once for the batch.
        self._pure = [
            (
                rule,
                dt.timedelta(days=rule.window_days),
                domain.Rule(
                    name=rule.name,
                    window_days=rule.window_days,
                    status=rule.status,
                    min_mass_visits=rule.min_mass_visits,
                    min_citizens=rule.min_citizens,
                    min_incidents=rule.min_incidents,
                ),
            )
            for rule in self.rules
        ]
        widest = max((rule.window_days for rule in self.rules), default=0)
        self.places = {place: _Place() for place in places}
        # The open hot spot of each place, read for every place at the first need, then kept up to date here.
        self._hotspots: dict[tuple[str, str], Hotspot | None] = {}
        self._hotspots_read = False
        # The ids of the open cases of each place, read for every place when a hot spot is first opened, then
        # kept up to date by case_opened().
        self._open_cases: dict[tuple[str, str], set[str]] | None = None
        self._cases_opened: list[Case] = []
        # The case ids linked to each open hot spot: the stored links, read for every open hot spot of the
        # batch's places at the first need, and those made in this transaction (link(), evaluate()).
        self._links: dict[str, set[str]] | None = None
        self._linked_here: dict[str, set[str]] = {}
        self.incidents: list[tuple[str, str | None, dt.datetime]] = []
        if not self.rules or not places:
            return
        since = earliest - dt.timedelta(days=widest)
        rows = db_session.execute(
            select(
                VisitRecord.unit,
                VisitRecord.field_code,
                VisitRecord.received_at,
                func.count().filter(VisitRecord.is_mass.is_(True)),
                func.sum(VisitRecord.group_size),
            )
            .where(
                tuple_(VisitRecord.unit, VisitRecord.field_code).in_(sorted(places)),
                VisitRecord.received_at > since,
                VisitRecord.received_at <= latest,
            )
            .group_by(VisitRecord.unit, VisitRecord.field_code, VisitRecord.received_at)
            .order_by(VisitRecord.unit, VisitRecord.field_code, VisitRecord.received_at)
        )
        for unit, field_code, at, mass, citizens in rows:
            place = self.places[(unit, field_code)]
            place.times.append(at)
            place.mass.append(place.mass[-1] + (mass or 0))
            place.citizens.append(place.citizens[-1] + int(citizens or 0))
        self.incidents = list(
            db_session.execute(
                select(Incident.unit, Incident.field_code, Incident.occurred_at).where(
                    Incident.unit.in_(sorted({unit for unit, _ in places})),
                    Incident.occurred_at > since,
                    Incident.occurred_at <= latest,
                )
            ).all()
        )

    def hotspot(self, unit: str, field_code: str) -> Hotspot | None:
        """The open hot spot of a place (read once for all the places; one the batch opened is known here)."""
        if not self._hotspots_read:
            self._hotspots_read = True
            found: dict[tuple[str, str], Hotspot] = {}
            if self.places:
                for hotspot in self.db_session.scalars(
                    select(Hotspot).where(
                        tuple_(Hotspot.unit, Hotspot.field_code).in_(sorted(self.places)),
                        Hotspot.scope == PLACE,
                        Hotspot.status.in_(OPEN),
                    )
                ):
                    found.setdefault((hotspot.unit, hotspot.field_code), hotspot)
            self._hotspots = {place: found.get(place) for place in self.places} | self._hotspots
        if (unit, field_code) not in self._hotspots:  # a place outside the batch's
            self._hotspots[(unit, field_code)] = open_hotspot(
                db_session=self.db_session, unit=unit, field_code=field_code
            )
        return self._hotspots[(unit, field_code)]

    def link(self, case: Case) -> None:
        """A case just opened joins the open hot spot of its place, if there is one (what ``link_case`` does)."""
        hotspot = self.hotspot(case.unit, case.field_code)
        if hotspot is not None:  # the case was just opened (a new id): no link to it can exist yet
            self.db_session.add(HotspotCase(hotspot_id=hotspot.id, case_id=case.id))
            self._linked_here.setdefault(hotspot.id, set()).add(case.id)

    def _case_ids(self, hotspot: Hotspot) -> list[str]:
        """The ids of the cases linked to a hot spot, in order, as ``case_ids`` would read them after a flush."""
        if self._links is None:
            stored = [h.id for h in self._hotspots.values() if h is not None and h not in self.db_session.new]
            self._links = {}
            if stored:
                for hotspot_id, case_id in self.db_session.execute(
                    select(HotspotCase.hotspot_id, HotspotCase.case_id).where(HotspotCase.hotspot_id.in_(stored))
                ):
                    self._links.setdefault(hotspot_id, set()).add(case_id)
        if hotspot.id not in self._links and hotspot not in self.db_session.new:
            self._links[hotspot.id] = set(case_ids(db_session=self.db_session, hotspot_id=hotspot.id))
        return sorted(self._links.get(hotspot.id, set()) | self._linked_here.get(hotspot.id, set()))

    def case_opened(self, case: Case) -> None:
        """A case opened in this transaction after the windows were made (a new hot spot of its place links it)."""
        self._cases_opened.append(case)
        if self._open_cases is not None:
            self._open_cases.setdefault((case.unit, case.field_code), set()).add(case.id)

    def _open_case_ids(self, unit: str, field_code: str) -> list[str]:
        """The ids of the open cases of a place, in order (what ``_link_open_cases`` would find and link)."""
        if self._open_cases is None:
            self._open_cases = {}
            if self.places:
                for case_id, case_unit, case_field in self.db_session.execute(
                    select(Case.id, Case.unit, Case.field_code).where(
                        tuple_(Case.unit, Case.field_code).in_(sorted(self.places)), Case.status.in_(OPEN_CASE_STATUSES)
                    )
                ):
                    self._open_cases.setdefault((case_unit, case_field), set()).add(case_id)
            for case in self._cases_opened:
                self._open_cases.setdefault((case.unit, case.field_code), set()).add(case.id)
        if (unit, field_code) not in self.places:  # a place outside the batch's: as _link_open_cases reads it
            return sorted(
                self.db_session.scalars(
                    select(Case.id).where(
                        Case.unit == unit, Case.field_code == field_code, Case.status.in_(OPEN_CASE_STATUSES)
                    )
                )
            )
        return sorted(self._open_cases.get((unit, field_code), ()))

    def add(self, *, unit: str, field_code: str, received_at: dt.datetime, is_mass: bool, group_size: int) -> None:
        """A visit recorded in this transaction after the stored ones were read."""
        self.places[(unit, field_code)].added.append((received_at, is_mass, group_size))

    def counts(self, *, unit: str, field_code: str, since: dt.datetime, until: dt.datetime) -> domain.Counts:
        mass, citizens = self.places[(unit, field_code)].counts(since, until)
        incidents = sum(
            1 for u, f, at in self.incidents if u == unit and f in (field_code, None) and since < at <= until
        )
        return domain.Counts(mass_visits=mass, citizens=citizens, incidents=incidents)

    def evaluate(self, *, unit: str, field_code: str, at: dt.datetime) -> Announced | None:
        """Apply every rule to the windows ending at ``at``; detect or activate a hot spot when one is crossed.

        What was announced, if anything (a hot spot whose figures alone moved is not announced).
        """
        best: tuple[HotspotRule, domain.Counts] | None = None
        for rule, window, pure in self._pure:
            if rule.field_code and rule.field_code != field_code:
                continue
            seen = self.counts(unit=unit, field_code=field_code, since=at - window, until=at)
            if domain.crossed(pure, seen) and (best is None or domain.stronger(rule.status, best[0].status)):
                best = (rule, seen)
        if best is None:
            return None
        rule, seen = best
        db_session = self.db_session
        hotspot = self.hotspot(unit, field_code)
        if hotspot is not None and not domain.stronger(rule.status, hotspot.status):
            hotspot.mass_visits, hotspot.citizens, hotspot.incidents = seen.mass_visits, seen.citizens, seen.incidents
            return None
        if hotspot is None:
            # Written whole with the session's next flush, with its links: the ids are made here, the open
            # cases of the place known (a replica racing to open the same hot spot fails at that flush).
            hotspot = Hotspot(
                id=str(uuid.uuid4()),
                unit=unit,
                field_code=field_code,
                status=rule.status,
                rule=rule.name,
                detected_at=at,
                activated_at=at if rule.status == "active" else None,
                mass_visits=seen.mass_visits,
                citizens=seen.citizens,
                incidents=seen.incidents,
            )
            db_session.add(hotspot)
            self._hotspots[(unit, field_code)] = hotspot
            linked = self._open_case_ids(unit, field_code)
            for case_id in linked:
                db_session.add(HotspotCase(hotspot_id=hotspot.id, case_id=case_id))
            self._linked_here[hotspot.id] = set(linked)
            # A new hot spot's cases are those just linked (ids of one form: Python's order is the database's).
            announce(db_session=db_session, hotspot=hotspot, window_days=rule.window_days, at=at, linked=linked)
            opened_here = {case.id for case in self._cases_opened}
            return Announced(hotspot=hotspot, at=at, newly_linked=tuple(c for c in linked if c not in opened_here))
        else:
            hotspot.status, hotspot.rule = rule.status, rule.name
            if rule.status == "active":
                hotspot.activated_at = at
            hotspot.mass_visits, hotspot.citizens, hotspot.incidents = seen.mass_visits, seen.citizens, seen.incidents
        return announce(
            db_session=db_session, hotspot=hotspot, window_days=rule.window_days, at=at, linked=self._case_ids(hotspot)
        )


def announce(
    *, db_session: Session, hotspot: Hotspot, window_days: int, at: dt.datetime, linked: list[str] | None = None
) -> Announced:
    """Stage ``escalation.hotspot.detected``; ``linked``: the hot spot's case ids in order, when known.

    A hot spot that is active now alerts the police (``hotspot.flows.follow`` raises it from what this returns).
    """
    data = {
        "hotspot_id": hotspot.id,
        "unit": hotspot.unit,
        "field": hotspot.field_code,
        "status": hotspot.status,
        "rule": hotspot.rule,
        "window_days": window_days,
        "mass_visits": hotspot.mass_visits,
        "citizens": hotspot.citizens,
        "incidents": hotspot.incidents,
        "case_ids": case_ids(db_session=db_session, hotspot_id=hotspot.id) if linked is None else linked,
        "detected_at": iso(at),
    }
    if (hotspot.scope or PLACE) != PLACE:
        data["scope"] = hotspot.scope
        if hotspot.matter_key:
            data["matter_key"] = hotspot.matter_key
    outbox.add(db_session, "escalation.hotspot.detected", data)
    return Announced(hotspot=hotspot, at=at)


def link_case(*, db_session: Session, case: Case) -> None:
    """A new case in a place already watched joins its hot spot (see :meth:`Windows.link` for a batch)."""
    hotspot = open_hotspot(db_session=db_session, unit=case.unit, field_code=case.field_code)
    if hotspot is not None and db_session.get(HotspotCase, (hotspot.id, case.id)) is None:
        db_session.add(HotspotCase(hotspot_id=hotspot.id, case_id=case.id))


def case_ids(*, db_session: Session, hotspot_id: str) -> list[str]:
    return list(
        db_session.scalars(
            select(HotspotCase.case_id).where(HotspotCase.hotspot_id == hotspot_id).order_by(HotspotCase.case_id)
        )
    )


def visible(identity: Identity, hotspot: Hotspot) -> bool:
    return not identity.is_commune or hotspot.unit == identity.unit


def list_hotspots(*, db_session: Session, identity: Identity, status: str | None, limit: int) -> list[Hotspot]:
    stmt = select(Hotspot).order_by(Hotspot.detected_at.desc()).limit(limit)
    if status == "open":
        stmt = stmt.where(Hotspot.status.in_(OPEN))
    elif status:
        stmt = stmt.where(Hotspot.status == status)
    if identity.is_commune:
        stmt = stmt.where(Hotspot.unit == identity.unit)
    return list(db_session.scalars(stmt))


def get(*, db_session: Session, identity: Identity, hotspot_id: str) -> Hotspot:
    hotspot = db_session.get(Hotspot, hotspot_id)
    if hotspot is None or not visible(identity, hotspot):
        raise Problem(404, "No such hot spot.")
    return hotspot


def change(
    *, db_session: Session, hotspot: Hotspot, status: str | None, owner: str | None, note: str | None, now: dt.datetime
) -> Announced | None:
    """Set the owner, activate by hand or defuse a hot spot; what was announced (activated by hand), if anything."""
    if hotspot.status == "defused":
        raise Problem(409, "The hot spot is defused.", code="already_defused")
    if owner is not None:
        hotspot.owner = owner
    if note is not None:
        hotspot.note = note
    if status == "defused":
        hotspot.status, hotspot.defused_at, hotspot.defused_by = "defused", now, "manual"
    elif status == "active" and hotspot.status != "active":
        hotspot.status, hotspot.activated_at, hotspot.rule = "active", now, "manual"
        return announce(db_session=db_session, hotspot=hotspot, window_days=0, at=now)
    return None
