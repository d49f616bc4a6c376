"""Province request rules free of Flask and SQLAlchemy: its stages and who may see it."""

from __future__ import annotations

STATUSES = ("received", "assigned", "officers_sent", "citizens_returned", "completed")
# Who the district assigns to a request (Plan: the inspectorate, the reception board and the commune).
ASSIGNEE_ROLES = ("inspectorate", "board", "commune")


def visible_to(*, kind: str, subject: str, unit: str | None, requested_by: str, province_unit: str | None,
               request_unit: str | None) -> bool:
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
