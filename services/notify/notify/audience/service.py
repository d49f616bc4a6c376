"""Choosing the audience of an event."""

from __future__ import annotations

import dataclasses

from .roster_client import RosterClient, RosterUnavailable


@dataclasses.dataclass(frozen=True)
class Recipient:
    code: str
    name: str | None = None


def on_duty_audience(
    roster: RosterClient, *, include_leader: bool, fallback: tuple[str, ...]
) -> tuple[list[Recipient], bool]:
    """The officers on duty now (and the leader on call if asked); the fallback list when roster is down."""
    try:
        answer = roster.on_duty()
    except RosterUnavailable:
        return [Recipient(code) for code in fallback], True
    people = {o["code"]: Recipient(o["code"], o["full_name"]) for o in answer.get("officers", [])}
    leader = answer.get("leader_on_call")
    if include_leader and leader:
        people.setdefault(leader["code"], Recipient(leader["code"], leader["full_name"]))
    if not people:
        return [Recipient(code) for code in fallback], True
    return list(people.values()), False
