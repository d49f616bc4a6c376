"""What the official forms count, read from the register and the petitions book: one fact per record.

A report covers the visits and petitions of the receiving unit (with the units it succeeded when asked:
merged communes' records roll up into today's unit) received within the period, and, for petitions,
those carried over from before it (received before the period and not yet handled, or accepted before it
and not yet resolved, when it began). Voided records count nowhere.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tiepdan_common.clock import LOCAL, local_date
from tiepdan_common.errors import field_error
from tiepdan_common.identity import Identity

from ..petition.models import Petition, PetitionStep
from ..reference import service as reference
from ..visit.models import Visit
from .models import ReceptionKind
from .periods import Period

HANDLING_STEPS = ("accept", "not_accept", "guide", "forward", "return_to_lower_level", "archive")
CLOSING_STEPS = {"resolve": "resolved", "withdraw": "withdrawn", "suspend": "suspended"}
NOT_ELIGIBLE = ("repeat", "voided")
OPEN_NOW = ("received", "accepted", "temporarily_suspended")


def bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's days as UTC instants: from the first day's midnight in Viet Nam to the day after the last."""
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=LOCAL).astimezone(dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL).astimezone(dt.UTC)
    return start, end


def scope(*, db_session: Session, identity: Identity, unit: str | None, include_predecessors: bool) -> dict:
    """The receiving unit(s) a report covers: codes (and version ids with predecessors). A commune reports
    only on its own desk."""
    code = unit or identity.unit
    if identity.is_commune and code != identity.unit:
        raise field_error("unit", "a commune reports only on its own desk", status=403, code="forbidden")
    if not code:
        raise field_error("unit", "name the receiving unit of the report")
    if reference.get_unit(db_session=db_session, code=code) is None:
        raise field_error("unit", f"unknown unit code {code!r}")
    if not include_predecessors:
        return {"unit": code, "codes": {code}, "ids": None}
    ids = reference.lineage(db_session=db_session, code=code)
    codes = {u.code for u in reference.list_units(db_session=db_session) if u.id in ids}
    return {"unit": code, "codes": codes, "ids": ids}


def unit_names(*, db_session: Session, on: dt.date) -> dict[str, str]:
    """Each unit code's name, the version in force on ``on`` first, else its latest version."""
    names: dict[str, str] = {}
    for u in reference.list_units(db_session=db_session):  # by code, then date: the latest version wins
        names[u.code] = u.name
    for u in reference.list_units(db_session=db_session, on=on):
        names[u.code] = u.name
    return names


def visits_in(*, db_session: Session, scope: dict, period: Period):
    """SELECT of the period's visits (not voided) at the scope's desks, in register order."""
    start, end = bounds(period)
    stmt = select(Visit).where(Visit.voided_at.is_(None), Visit.received_at >= start, Visit.received_at < end)
    if scope["ids"] is not None:  # a visit without its unit version (recorded before they existed) by its code
        stmt = stmt.where(
            or_(
                Visit.receiving_unit_id.in_(sorted(scope["ids"]) or [-1]),
                Visit.receiving_unit_id.is_(None) & Visit.receiving_unit.in_(sorted(scope["codes"])),
            )
        )
    else:
        stmt = stmt.where(Visit.receiving_unit.in_(sorted(scope["codes"])))
    return stmt.order_by(Visit.received_at, Visit.id)


def _first_received(db_session: Session, visits: list[Visit]) -> dict[str, dt.datetime]:
    """When the first visit of each visit's matter was received (itself, or the first visit it repeats)."""
    firsts = {v.id: v.received_at for v in visits}
    missing = sorted({v.repeat_of for v in visits if v.repeat_of and v.repeat_of not in firsts})
    for chunk in (missing[i : i + 500] for i in range(0, len(missing), 500)):
        firsts.update(db_session.execute(select(Visit.id, Visit.received_at).where(Visit.id.in_(chunk))).all())
    return firsts


def visit_facts(*, db_session: Session, scope: dict, period: Period) -> list[dict]:
    """One fact per visit of the period: how it was received, people, its matter (vụ việc) old or new,
    category, outcome.

    A matter is the first visit of the same citizens about it and its repeats (``repeat_of``): it is new
    (mới phát sinh) when that first visit falls in the period, old (cũ) when it came before."""
    visits = list(db_session.scalars(visits_in(db_session=db_session, scope=scope, period=period)))
    kinds = dict(
        db_session.execute(
            select(ReceptionKind.visit_id, ReceptionKind.kind).where(
                ReceptionKind.visit_id.in_([v.id for v in visits] or [""])
            )
        ).all()
    )
    first = _first_received(db_session, visits)
    start, _ = bounds(period)
    out = []
    for v in visits:
        matter = v.repeat_of or v.id
        out.append(
            {
                "id": v.id,
                "number": v.serial,
                "unit": v.receiving_unit,
                "reception": kinds.get(v.id, "regular"),
                "people": v.group_size,
                "is_mass": v.is_mass,
                "category": v.category,
                "outcome": v.outcome,
                "matter": matter,
                "matter_new": first.get(matter, v.received_at) >= start,
            }
        )
    return out


def _steps_of(db_session: Session, ids: list[str]) -> dict[str, list[PetitionStep]]:
    out: dict[str, list[PetitionStep]] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for step in db_session.scalars(
            select(PetitionStep)
            .where(PetitionStep.petition_id.in_(chunk))
            .order_by(PetitionStep.taken_on, PetitionStep.id)
        ):
            out.setdefault(step.petition_id, []).append(step)
    return out


def _first(steps: list[PetitionStep], names) -> PetitionStep | None:
    return next((s for s in steps if s.step in names), None)


def petition_fact(p: Petition, steps: list[PetitionStep], period: Period) -> dict:
    """What the handling and resolution forms need to know of one petition over ``period``."""
    received = p.received_on or local_date(p.received_at)
    first_handling = _first(steps, HANDLING_STEPS)
    handling = first_handling if first_handling is not None and first_handling.taken_on <= period.end else None
    # Waiting for handling when the period began: received before it, handled (if ever) from its first day on;
    # a petition never handled counts only while it is still received (a repeat, a filed or voided one never).
    waiting = received < period.start and (
        (first_handling is not None and first_handling.taken_on >= period.start)
        or (first_handling is None and p.status == "received")
    )
    accept = _first(steps, ("accept",))
    accepted_on = accept.taken_on if accept is not None and accept.taken_on <= period.end else None
    closing = _first(steps, CLOSING_STEPS)
    closed_on = closing.taken_on if closing is not None else None
    in_period = closing is not None and period.start <= closing.taken_on <= period.end
    outcome = json.loads(closing.details or "{}").get("outcome") if in_period and closing.step == "resolve" else None
    return {
        "id": p.id,
        "number": p.number,
        "unit": p.receiving_unit,
        "category": p.category,
        "matter": p.matter_key or p.id,
        "people": p.sender_count,
        "carried_over": received < period.start,
        "handling": handling.step if handling else None,
        "handled_in_period": handling is not None and handling.taken_on >= period.start,
        "eligible": not p.anonymous and p.status not in NOT_ELIGIBLE,
        "competent": accepted_on is not None,
        "accepted_before": accepted_on is not None and accepted_on < period.start,
        "resolved_in_period": in_period and closing.step == "resolve",
        "outcome": outcome,
        "on_time": bool(closing.on_time) if in_period else True,
        "closed_as": CLOSING_STEPS[closing.step] if in_period else None,
        "open_at_end": accepted_on is not None and (closed_on is None or closed_on > period.end),
        # Which forms count it: handled in the period (or waiting at its start), resolved in it (or pending).
        "for_handling": received >= period.start or waiting,
        "for_resolution": accepted_on is not None and (closed_on is None or closed_on >= period.start),
    }


def petition_facts(*, db_session: Session, scope: dict, period: Period) -> list[dict]:
    """One fact per petition the period's forms count (received in it, or carried over into it)."""
    start, end = bounds(period)
    # Before the period, only what could still be waiting or pending then: open now, or stepped since it began.
    stepped = select(PetitionStep.petition_id).where(PetitionStep.taken_on >= period.start)
    stmt = select(Petition).where(
        Petition.status != "voided",
        Petition.received_at < end,
        Petition.receiving_unit.in_(sorted(scope["codes"])),
        or_(Petition.received_at >= start, Petition.status.in_(OPEN_NOW), Petition.id.in_(stepped)),
    )
    petitions = list(db_session.scalars(stmt.order_by(Petition.received_at, Petition.id)))
    steps = _steps_of(db_session, [p.id for p in petitions])
    facts = [petition_fact(p, steps.get(p.id, []), period) for p in petitions]
    return [f for f in facts if f["for_handling"] or f["for_resolution"]]
