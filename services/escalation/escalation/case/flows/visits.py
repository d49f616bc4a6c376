"""Intake's visits across aggregates: each visit kept for the hot spots, a case opened or joined, the windows
evaluated; a voided or corrected visit followed by its case and the hot spots. The consumers (``jobs``) call
these; case, hot-spot and policy services stay leaves of this flow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import local_date
from tiepdan_common.context import correlated
from tiepdan_common.db import insert_rows
from tiepdan_common.messaging.envelope import Envelope

from ... import reference
from ...hotspot import corrections as hotspot_corrections
from ...hotspot import flows as hotspot_flows
from ...hotspot import service as hotspots
from ...hotspot.models import VisitRecord
from ...policy import service as escalation_policies
from ...unit import service as units
from ...unit.domain import Directory
from .. import domain
from .. import service as cases
from ..models import Case
from ..numbers import Numbers, year_of
from . import corrections, opening


class _Cases:
    """What opening or joining cases for a batch of visits reads, read once for the batch at the first need.

    Which of the visits opened or joined a case already, the open case of each matter and the active
    escalation policies; kept up to date here as the batch's visits open and join cases, in order.
    """

    def __init__(self, db_session: Session, visits: list[dict], now: dt.datetime) -> None:
        self.db_session = db_session
        self.now = now
        self.visits = visits
        self._linked: set[str] | None = None
        self._open: dict[str, Case] | None = None
        self._policies: list | None = None
        self._units: Directory | None = None

    def linked(self, visit_id: str) -> bool:
        if self._linked is None:
            self._linked = cases.sources_known(
                db_session=self.db_session, source_type="visit", source_ids=[visit["visit_id"] for visit in self.visits]
            )
        return visit_id in self._linked

    def open_for(self, matter_key: str) -> Case | None:
        if self._open is None:
            self._open = cases.open_for_matters(
                db_session=self.db_session, matter_keys={_matter_key(visit) for visit in self.visits}
            )
        return self._open.get(matter_key)

    def numbers(self, visits: list[dict], opens: Callable[[dict], bool]) -> Numbers:
        """The case numbers the batch's visits will take, taken together: one per matter that has no open case,
        among the visits that open or join one (``opens``) and did not already."""
        new_matters, seen = set(), set()
        for visit in visits:
            if visit["visit_id"] in seen or not opens(visit) or self.linked(visit["visit_id"]):
                continue
            seen.add(visit["visit_id"])
            if self.open_for(_matter_key(visit)) is None:
                new_matters.add(_matter_key(visit))
        return Numbers(db_session=self.db_session, year=year_of(self.now), count=len(new_matters))

    def policies(self) -> list:
        if self._policies is None:
            self._policies = escalation_policies.active(db_session=self.db_session)
        return self._policies

    def units(self) -> Directory:
        if self._units is None:
            self._units = units.directory(self.db_session)
        return self._units

    def linked_to(self, visit_id: str, matter_key: str, case: Case) -> None:
        self.linked(visit_id)
        self._linked.add(visit_id)
        self.open_for(matter_key)
        self._open.setdefault(matter_key, case)


def _matter_key(visit: dict) -> str:
    return visit.get("matter_key") or f"{visit['origin_unit']}:{visit['field']}"


def record_visits(
    db_session: Session, events: list[Envelope], *, mass_case_size: int, reference_dir: Path, now: dt.datetime
) -> None:
    visits = [(event, event.data, dt.datetime.fromisoformat(event.data["received_at"])) for event in events]
    windows = hotspots.Windows(
        db_session=db_session,
        places={(visit["origin_unit"], visit["field"]) for _, visit, _ in visits},
        earliest=min(at for _, _, at in visits),
        latest=max(at for _, _, at in visits),
    )
    ids = [visit["visit_id"] for _, visit, _ in visits]
    known = set(db_session.scalars(select(VisitRecord.visit_id).where(VisitRecord.visit_id.in_(ids))))
    batch = _Cases(db_session, [visit for _, visit, _ in visits], now)

    def opens(visit: dict) -> bool:
        return domain.opens_case(
            group_size=visit["group_size"],
            is_mass=visit["is_mass"],
            over_level=visit.get("over_level", False),
            mass_case_size=mass_case_size,
            repeated=bool(visit.get("repeat_of")),
        )

    numbers = batch.numbers([visit for _, visit, _ in visits], opens) if len(visits) > 1 else None
    records = []
    for event, visit, received_at in visits:
        with correlated(event.correlation_id):
            unit, field_code = visit["origin_unit"], visit["field"]
            if visit["visit_id"] not in known:
                known.add(visit["visit_id"])
                windows.add(
                    unit=unit,
                    field_code=field_code,
                    received_at=received_at,
                    is_mass=visit["is_mass"],
                    group_size=visit["group_size"],
                )
                records.append(
                    {
                        "visit_id": visit["visit_id"],
                        "unit": unit,
                        "field_code": field_code,
                        "group_size": visit["group_size"],
                        "is_mass": visit["is_mass"],
                        "received_at": received_at,
                        "matter_key": _matter_key(visit),
                    }
                )
            if opens(visit) and not batch.linked(visit["visit_id"]):
                _open_or_join(
                    db_session,
                    visit,
                    mass_case_size=mass_case_size,
                    reference_dir=reference_dir,
                    batch=batch,
                    windows=windows,
                    numbers=numbers,
                )
            hotspot_flows.evaluate_in(windows, unit=unit, field_code=field_code, at=received_at)
    if numbers is not None:
        numbers.give_back()  # none, unless the count above and the cases opened disagree
    insert_rows(db_session, VisitRecord.__table__, records)
    if records:  # the windows of a field across the unit, and of a matter, over the stored visits
        hotspot_flows.evaluate_scoped(
            db_session=db_session, visits=[visit for _, visit, _ in visits], units=batch.units()
        )


def correct_visit(db_session: Session, visit: dict, *, reference_dir: Path, now: dt.datetime) -> None:
    """A visit voided or corrected at the desk: its case and the hot-spot windows follow (see case.corrections)."""
    record = db_session.get(VisitRecord, visit["visit_id"])
    if visit["action"] == "voided":
        corrections.visit_voided(
            db_session=db_session, visit=visit, now=now, group_size=record.group_size if record is not None else None
        )
        if record is not None:
            hotspot_corrections.withdraw(db_session=db_session, record=record, units=units.directory(db_session))
        return
    size = None
    if record is not None:
        size = (record.group_size, visit.get("group_size", record.group_size))
        hotspot_flows.move_visit(db_session=db_session, record=record, visit=visit, units=units.directory(db_session))
    corrections.visit_corrected(db_session=db_session, visit=visit, group_size=size, now=now)


def _open_or_join(
    db_session: Session,
    visit: dict,
    *,
    mass_case_size: int,
    reference_dir: Path,
    batch: _Cases,
    windows: hotspots.Windows,
    numbers: Numbers | None,
) -> None:
    matter_key = _matter_key(visit)
    over_level = visit.get("over_level", False)
    existing = batch.open_for(matter_key)
    if existing is not None:
        opening.join_case(
            db_session=db_session,
            case=existing,
            source_type="visit",
            source_id=visit["visit_id"],
            actor="system",
            group_size=visit["group_size"],
            over_level=over_level,
            active_policies=batch.policies(),
        )
        batch.linked_to(visit["visit_id"], matter_key, existing)
        return
    on = local_date(batch.now)
    unit = batch.units().unit(visit["origin_unit"], on)
    field = reference.field(reference_dir, visit["field"])
    receiving = batch.units().unit(visit["receiving_unit"], on)
    phrase = domain.field_phrase(field["name_vi"])
    if visit["is_mass"] and visit["group_size"] >= mass_case_size:
        title = f"Đoàn đông người ({visit['group_size']} công dân), {phrase}, {unit['name']}"
    elif over_level:
        title = f"Công dân vượt cấp, {phrase}, {unit['name']}"
    else:
        title = f"Vụ việc tái diễn, {phrase}, {unit['name']}"
    now = batch.now
    case = opening.open_case(
        db_session=db_session,
        now=now,
        number=numbers.take(year_of(now)) if numbers else None,
        title=title,
        unit=visit["origin_unit"],
        field_code=visit["field"],
        category=visit["category"],
        matter_key=matter_key,
        severity=domain.severity_for_group(visit["group_size"]),
        level=domain.level_for_unit(receiving.get("level")),
        owner_agency=field.get("agency"),
        group_size=visit["group_size"],
        source_type="visit",
        source_id=visit["visit_id"],
        actor="system",
        complex=over_level,
        active_policies=batch.policies(),
        link=windows.link,
        flush=False,
    )
    batch.linked_to(visit["visit_id"], matter_key, case)
    windows.case_opened(case)
