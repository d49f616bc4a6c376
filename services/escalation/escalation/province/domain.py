"""Province request rules free of Flask and SQLAlchemy: its stages and who may see it."""

from __future__ import annotations

import datetime as dt

STATUSES = ("received", "assigned", "officers_sent", "citizens_returned", "completed")
# Who the district assigns to a request (Plan: the inspectorate, the reception board and the commune).
ASSIGNEE_ROLES = ("inspectorate", "board", "commune")


def visible_to(
    *, kind: str, subject: str, unit: str | None, requested_by: str, province_unit: str | None, request_unit: str | None
) -> bool:
    """The province sees the requests it filed; a commune those about it; the district all."""
    if kind == "province":
        return requested_by == subject
    if kind == "commune":
        return request_unit == unit
    return kind in ("district", "admin")


def can_move(current: str, new: str) -> bool:
    """Stages only go forward (assignment may be repeated until officers are sent)."""
    if current == "completed":
        return False
    if new == current == "assigned":
        return True
    return STATUSES.index(new) > STATUSES.index(current)


# Unfinished: the citizens are not home yet. Its deadline passing raises the alarm once.
UNFINISHED = ("received", "assigned", "officers_sent")
# Whose officers fill each assignment (Plan of Mỹ Xuyên: the district inspectorate, the reception board, and the
# people's committee of the citizens' commune); agency codes as roster seeds them (demo/demo.json).
ASSIGNEE_AGENCY = {"inspectorate": "TTR", "board": "BTCD"}
COMMUNE_AGENCY_PREFIX = "UBND-"
# A clock a few minutes ahead on the officer's phone is not "returning in the future".
CLOCK_SKEW_SECONDS = 300


def officer_problem(code: str, officers: dict[str, dict]) -> str | None:
    """Why ``code`` cannot be sent or assigned (not in the roster, or no longer active), else None."""
    officer = officers.get(code)
    if officer is None:
        return f"{code} is not an officer of the roster"
    if officer.get("active") is False:
        return f"{code} is no longer an active officer"
    return None


def assignee_problem(slot: str, code: str, officers: dict[str, dict], unit: str | None) -> str | None:
    """Why ``code`` cannot fill ``slot``: not an officer, or not of the agency the slot needs."""
    problem = officer_problem(code, officers)
    if problem:
        return problem
    agency = officers[code].get("agency") or ""
    if slot == "commune":
        wanted = f"{COMMUNE_AGENCY_PREFIX}{unit}" if unit else None
        fits = agency == wanted if wanted else agency.startswith(COMMUNE_AGENCY_PREFIX)
        return None if fits else f"{code} is not an officer of {wanted or 'a commune committee'}"
    return None if agency == ASSIGNEE_AGENCY[slot] else f"{code} is not an officer of {ASSIGNEE_AGENCY[slot]}"


def returned_problem(
    *, returned_at: dt.datetime, received_at: dt.datetime, dispatched_at: dt.datetime | None, now: dt.datetime
) -> str | None:
    """Times in order: citizens return after the request was received and officers sent, and not in the future."""
    if returned_at < received_at:
        return "before the request was received"
    if dispatched_at is not None and returned_at < dispatched_at:
        return "before the officers were sent"
    if (returned_at - now).total_seconds() > CLOCK_SKEW_SECONDS:
        return "in the future"
    return None


def alarm_targets(assignees: dict, officers_sent: list) -> list[dict]:
    """Who hears a missed deadline: each officer assigned or sent (once), and the leader on call."""
    codes = list(dict.fromkeys([*(assignees or {}).values(), *(officers_sent or [])]))
    return [*({"type": "officer", "value": code} for code in codes), {"type": "leader_on_call", "value": None}]
