"""The coverage report for the days ahead, and the gap events it raises once each."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import outbox
from ..duty import service as duty
from ..duty.domain import ON_CALL_KINDS, clashes, overlaps
from .models import CoverageGapNotice


def _shift_ref(shift) -> dict:
    return {"shift_id": shift.id, "shift_kind": shift.kind, "starts_at": shift.starts_at, "ends_at": shift.ends_at}


def report(*, db_session: Session, start: dt.datetime, end: dt.datetime) -> dict:
    """Unfilled requirements, double bookings, scheduled people on leave and people with no verified channel."""
    reqs = duty.requirements_by_kind(db_session=db_session)
    shifts = duty.shifts_between(db_session=db_session, start=start, end=end)
    leaves = duty.leaves_between(db_session=db_session, start=start, end=end)
    unfilled, on_leave, unreachable, double = [], [], [], []
    by_officer: dict[str, list] = {}
    for shift in shifts:
        for req in reqs.get(shift.kind, ()):
            have = sum(1 for a in shift.assignments if a.duty_role == req.duty_role)
            if have < req.count:
                unfilled.append({**_shift_ref(shift), "duty_role": req.duty_role, "missing": req.count - have})
        if police_unreachable(shift) and not any(
            u["shift_id"] == shift.id and u["duty_role"] == "police" for u in unfilled
        ):
            unfilled.append({**_shift_ref(shift), "duty_role": "police", "missing": 1})
        for a in shift.assignments:
            by_officer.setdefault(a.officer_code, []).append((shift, a))
            row = {
                **_shift_ref(shift),
                "duty_role": a.duty_role,
                "officer": a.officer_code,
                "full_name": a.officer.full_name,
            }
            if any(
                overlaps(lv.starts_at, lv.ends_at, shift.starts_at, shift.ends_at)
                for lv in leaves.get(a.officer_code, ())
            ):
                on_leave.append(row)
            if not any(c.verified for c in a.officer.channels):
                unreachable.append(row)
    for code, held in by_officer.items():
        held.sort(key=lambda sa: sa[0].starts_at)
        for i, (s1, _a1) in enumerate(held):
            for s2, a2 in held[i + 1 :]:
                if s2.starts_at >= s1.ends_at:
                    break
                if not clashes(s1.kind, s2.kind):  # on call while at the desk is no double booking
                    continue
                double.append(
                    {
                        **_shift_ref(s2),
                        "duty_role": a2.duty_role,
                        "officer": code,
                        "full_name": a2.officer.full_name,
                        "other_shift_id": s1.id,
                    }
                )
    people = {r["officer"]: {"officer": r["officer"], "full_name": r["full_name"]} for r in unreachable}
    return {
        "from": start,
        "to": end,
        "shifts": len(shifts),
        "unfilled": unfilled,
        "double_bookings": double,
        "on_leave": on_leave,
        "no_verified_channel": list(people.values()),
        "unreachable_assignments": unreachable,
        "gaps": gaps_of(unfilled=unfilled, double=double, on_leave=on_leave, unreachable=unreachable),
    }


def police_unreachable(shift) -> bool:
    """True for a special period's on-call shift with no police officer on it (whatever the requirements say).

    During a high-alert period the police must be reachable at every hour; the on-call shift runs
    midnight to midnight, so a police officer on each one covers the whole period.
    """
    return (
        shift.kind in ON_CALL_KINDS
        and shift.period.kind == "special"
        and not any(a.officer.agency.kind == "police" for a in shift.assignments)
    )


def gaps_of(*, unfilled, double, on_leave, unreachable) -> list[dict]:
    """Every gap as (shift, duty role, reason, officer, missing), the unit announced once."""
    gaps = [{**u, "reason": "unfilled", "officer": ""} for u in unfilled]
    gaps += [{**r, "reason": "on_leave", "missing": 1} for r in on_leave]
    gaps += [{**r, "reason": "double_booked", "missing": 1} for r in double]
    gaps += [{**r, "reason": "no_verified_channel", "missing": 1} for r in unreachable]
    return [
        {
            k: g.get(k, "")
            for k in (
                "shift_id",
                "shift_kind",
                "starts_at",
                "ends_at",
                "duty_role",
                "missing",
                "reason",
                "officer",
                "full_name",
            )
        }
        for g in gaps
    ]


REASONS_VI = {
    "unfilled": "chưa bố trí đủ người",
    "on_leave": "{who} nghỉ phép hoặc vắng trong ca",
    "double_booked": "{who} bị xếp trùng hai ca cùng lúc",
    "no_verified_channel": "{who} chưa có kênh liên lạc đã xác thực",
}


def reason_vi(gap: dict) -> str:
    """The gap's reason in Vietnamese, as notify puts it in front of people."""
    who = f"{gap.get('full_name', '')} ({gap['officer']})".strip() if gap["officer"] else ""
    return REASONS_VI[gap["reason"]].format(who=who)


def announce_gaps(*, db_session: Session, gaps: list[dict], now: dt.datetime) -> int:
    """Stage ``roster.coverage.gap`` for each gap not announced before; returns how many were new."""
    if not gaps:
        return 0
    shift_ids = {g["shift_id"] for g in gaps}
    known = {
        (n.shift_id, n.duty_role, n.reason, n.officer_code)
        for n in db_session.scalars(select(CoverageGapNotice).where(CoverageGapNotice.shift_id.in_(shift_ids)))
    }
    new = 0
    for gap in gaps:
        key = (gap["shift_id"], gap["duty_role"], gap["reason"], gap["officer"])
        if key in known:
            continue
        known.add(key)
        # The unique constraint makes a second worker's concurrent insert fail its whole transaction,
        # so the event is staged only by the transaction that records the notice.
        db_session.add(
            CoverageGapNotice(shift_id=key[0], duty_role=key[1], reason=key[2], officer_code=key[3], detected_at=now)
        )
        reason = reason_vi(gap)
        outbox.add(
            db_session,
            "roster.coverage.gap",
            {
                "shift_id": gap["shift_id"],
                "shift_kind": gap["shift_kind"],
                "starts_at": gap["starts_at"].isoformat(),
                "ends_at": gap["ends_at"].isoformat(),
                "duty_role": gap["duty_role"],
                "missing": gap["missing"],
                "reason": reason,
                "detected_at": now.isoformat(),
            },
        )
        new += 1
    db_session.flush()
    return new


def check_ahead(*, db_session: Session, now: dt.datetime, days: int) -> dict:
    """The report for the next ``days`` days, with its new gaps announced."""
    result = report(db_session=db_session, start=now, end=now + dt.timedelta(days=days))
    result["announced"] = announce_gaps(db_session=db_session, gaps=result["gaps"], now=now)
    return result
