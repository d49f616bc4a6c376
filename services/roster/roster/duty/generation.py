"""Generating a period's roster by fair rotation, free of HTTP (called by the API and the seed command)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from tiepdan_common.calendar import Calendar
from tiepdan_common.clock import local_date

from .. import calendar as roster_calendar
from ..audit import service as audit
from ..directory.models import Officer
from . import domain
from .models import PINNED_SOURCES, Assignment, CoverageRequirement, DutyPeriod, Shift
from .service import leaves_between, on_leave, requirements_by_kind


def generate(
    *,
    db_session: Session,
    period: DutyPeriod,
    calendar: Calendar,
    actor: str = "system",
    now: dt.datetime,
) -> int:
    """(Re)fill the period by fair rotation, skipping weekends, holidays and leave; returns assignments made.

    Shifts are kept by (kind, start) so their ids survive; assignments pinned by a person (manual,
    override, swap) stay. The rotation's own assignments stay too while still valid (officer active, of
    the pool, agency in force, not on leave, within the count), so a leave moves only the slots it
    touches. Shifts that have already started are history: they are left as they are (and count as
    turns taken).
    """
    reqs = requirements_by_kind(db_session=db_session)
    officers = db_session.scalars(select(Officer).where(Officer.active.is_(True))).all()
    pools = {r.kinds: [o.code for o in officers if o.agency.kind in r.kinds] for rows in reqs.values() for r in rows}
    agency_of = {o.code: o.agency for o in officers}
    rotation = domain.Rotation(pools)
    roster_calendar.require_covered(calendar, "period", period.starts_on - dt.timedelta(days=1), period.ends_on)
    slots = list(domain.period_slots(period.starts_on, period.ends_on, calendar))
    existing = {
        (s.kind, s.starts_at): s
        for s in db_session.scalars(
            select(Shift).where(Shift.period_id == period.id).options(selectinload(Shift.assignments))
        )
    }
    leaves = leaves_between(db_session=db_session, start=slots[0].starts_at, end=slots[-1].ends_at) if slots else {}
    slots = _give_way(db_session, period, slots, now)
    wanted = {(slot.kind, slot.starts_at) for slot in slots}
    for key, shift in existing.items():
        if key not in wanted and shift.starts_at > now:
            db_session.delete(shift)
    count, new_shifts = 0, []
    for slot in slots:
        shift = existing.get((slot.kind, slot.starts_at))
        held = []  # (officer, duty role) staying on the shift: pinned by a person, or generated and still valid
        if shift is not None and shift.starts_at <= now:
            for req in reqs.get(slot.kind, ()):
                for a in shift.assignments:
                    if a.duty_role == req.duty_role:
                        rotation.note(req.kinds, a.officer_code)
            continue
        day = local_date(slot.starts_at)

        def unavailable(code: str, day=day, slot=slot) -> bool:
            agency = agency_of.get(code)
            return agency is None or not agency.in_force(day) or on_leave(leaves, code, slot.starts_at, slot.ends_at)

        if shift is not None:
            shift.ends_at = slot.ends_at
            _drop_invalid(shift, reqs.get(slot.kind, ()), unavailable)
            held = [(a.officer_code, a.duty_role) for a in shift.assignments]
        busy = {code for code, _role in held}
        made = []
        for req in reqs.get(slot.kind, ()):
            kept = [code for code, role in held if role == req.duty_role]
            for code in kept:
                rotation.note(req.kinds, code)
            away = busy | {c for c in pools.get(req.kinds, ()) if unavailable(c)}
            for code in rotation.take(req.kinds, req.count - len(kept), away):
                busy.add(code)
                made.append((code, req.duty_role))
        count += len(made)
        if shift is None:
            new_shifts.append((slot, made))
        else:
            for code, role in made:
                shift.assignments.append(Assignment(officer_code=code, duty_role=role, source="generated"))
    db_session.flush()
    _insert_new_shifts(db_session, period, new_shifts)
    db_session.flush()
    audit.record(
        db_session=db_session,
        at=now,
        actor=actor,
        action="period.generated",
        entity="period",
        entity_id=period.code,
        detail={"assignments": count, "shifts": len(slots)},
    )
    return count


def _give_way(db_session: Session, period: DutyPeriod, slots: list, now: dt.datetime) -> list:
    """Apply precedence: an ordinary period skips shifts a special one covers; a special one replaces them.

    Only shifts not yet started are replaced, so what was worked stays on record: an ordinary shift
    already under way (the night standby before a special period that starts tomorrow) stays the
    ordinary roster's, and the special period leaves that slot out rather than staff it twice.
    """
    if not slots:
        return slots
    others = (
        select(Shift)
        .join(Shift.period)
        .where(Shift.period_id != period.id, Shift.starts_at >= slots[0].starts_at, Shift.starts_at < slots[-1].ends_at)
    )
    if period.kind == "ordinary":
        taken = {(s.kind, s.starts_at) for s in db_session.scalars(others.where(DutyPeriod.kind == "special"))}
        return [slot for slot in slots if (slot.kind, slot.starts_at) not in taken]
    mine = {(slot.kind, slot.starts_at) for slot in slots}
    under_way = set()
    for shift in db_session.scalars(others.where(DutyPeriod.kind == "ordinary")):
        key = (shift.kind, shift.starts_at)
        if key not in mine:
            continue
        if shift.starts_at > now:
            db_session.delete(shift)
        else:
            under_way.add(key)
    db_session.flush()
    return [slot for slot in slots if (slot.kind, slot.starts_at) not in under_way]


def _insert_new_shifts(db_session: Session, period: DutyPeriod, new_shifts: list) -> None:
    """Insert a period's new shifts and their assignments in two statements (a fresh period has hundreds)."""
    if not new_shifts:
        return
    ids = db_session.scalars(
        insert(Shift).returning(Shift.id, sort_by_parameter_order=True),
        [
            {"period_id": period.id, "kind": slot.kind, "starts_at": slot.starts_at, "ends_at": slot.ends_at}
            for slot, _made in new_shifts
        ],
    ).all()
    rows = [
        {"shift_id": shift_id, "officer_code": code, "duty_role": role, "source": "generated", "note": ""}
        for shift_id, (_slot, made) in zip(ids, new_shifts, strict=True)
        for code, role in made
    ]
    if rows:
        db_session.execute(insert(Assignment), rows)


def _drop_invalid(shift: Shift, reqs: Iterable[CoverageRequirement], unavailable: Callable[[str], bool]) -> None:
    """Take the rotation's assignments off a shift where they no longer hold; pinned ones always stay."""
    room = {r.duty_role: r.count for r in reqs}
    kinds = {r.duty_role: r.kinds for r in reqs}
    for a in shift.assignments:
        if a.source in PINNED_SOURCES and a.duty_role in room:
            room[a.duty_role] -= 1
    seen: set[str] = set()
    for a in [a for a in shift.assignments if a.source not in PINNED_SOURCES]:
        valid = (
            room.get(a.duty_role, 0) > 0
            and a.officer.active
            and a.officer.agency.kind in kinds[a.duty_role]
            and a.officer_code not in seen
            and not unavailable(a.officer_code)
        )
        if valid:
            room[a.duty_role] -= 1
            seen.add(a.officer_code)
        else:
            shift.assignments.remove(a)
