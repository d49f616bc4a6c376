"""Reading and changing rules, ladders and distribution lists; seeding them from ``seed.json``."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.clock import utcnow
from tiepdan_common.errors import Problem, field_error

from . import domain
from .models import DistributionList, Ladder, Rule

CHANNELS = ("inbox", "sms", "email", "webhook")
AUDIENCE_TYPES = (
    "on_duty",
    "on_duty_role",
    "leader_on_call",
    "agency",
    "police",
    "commune",
    "communes",
    "province",
    "system",
    "contact",
    "distribution_list",
    "target",
    "event_officers",
    "event_targets",
    "officer",
    "fallback",
)


def seed_data() -> dict:
    """The packaged seed file."""
    return json.loads((resources.files("notify.rules") / "seed.json").read_text(encoding="utf-8"))


def seed(*, db_session: Session, data: dict | None = None) -> int:
    """Insert the seed's rules, lists and ladders that are not there yet (never overwrites edits)."""
    data = data or seed_data()
    added = 0
    for raw in data.get("rules", []):
        if db_session.scalar(select(Rule.id).where(Rule.name == raw["name"])) is None:
            db_session.add(
                Rule(
                    name=raw["name"],
                    event_type=raw["event_type"],
                    conditions=raw.get("conditions", {}),
                    audiences=raw["audiences"],
                    urgent=raw.get("urgent", False),
                    channels=raw.get("channels"),
                    template=raw.get("template"),
                    active=raw.get("active", True),
                )
            )
            added += 1
    for raw in data.get("distribution_lists", []):
        if db_session.get(DistributionList, raw["name"]) is None:
            db_session.add(
                DistributionList(
                    name=raw["name"],
                    members=raw["members"],
                    title=raw.get("title"),
                    source=raw.get("source"),
                    updated_at=utcnow(),
                )
            )
            added += 1
    for raw in data.get("ladders", []):
        if (
            ladder_steps(db_session=db_session, recipient=raw["recipient"], urgency=raw["urgency"], default=False)
            is None
        ):
            db_session.add(Ladder(recipient=raw["recipient"], urgency=raw["urgency"], steps=raw["steps"]))
            added += 1
    db_session.flush()
    return added


def any_rule(*, db_session: Session) -> bool:
    return db_session.scalar(select(Rule.id).limit(1)) is not None


def active_rules(*, db_session: Session, event_type: str) -> list[Rule]:
    """The active rules for ``event_type``, in order, whatever their conditions."""
    return list(
        db_session.scalars(select(Rule).where(Rule.event_type == event_type, Rule.active.is_(True)).order_by(Rule.id))
    )


def rules_for(*, db_session: Session, event_type: str, data: dict, rules: list[Rule] | None = None) -> list[Rule]:
    """The active rules for ``event_type`` whose conditions hold for ``data``, in order.

    A database nobody seeded gets the packaged rules first, so that a new case always reaches someone.
    ``rules``: the active rules for ``event_type`` when the caller has read them already.
    """
    if rules is None:
        if not any_rule(db_session=db_session):
            seed(db_session=db_session)
        rules = active_rules(db_session=db_session, event_type=event_type)
    return [r for r in rules if domain.matches(r.conditions, data)]


def list_rules(*, db_session: Session) -> list[Rule]:
    return list(db_session.scalars(select(Rule).order_by(Rule.id)))


def _check_audiences(audiences) -> None:
    if not isinstance(audiences, list) or not audiences:
        raise field_error("audiences", "at least one audience")
    for i, audience in enumerate(audiences):
        if not isinstance(audience, dict) or audience.get("type") not in AUDIENCE_TYPES:
            raise field_error(f"audiences[{i}].type", f"one of {', '.join(AUDIENCE_TYPES)}")


def put_rule(
    *,
    db_session: Session,
    name: str,
    event_type: str,
    conditions: dict,
    audiences: list,
    urgent,
    channels: list | None,
    template: str | None,
    active: bool,
    now: dt.datetime,
) -> Rule:
    """Create or replace the rule called ``name``."""
    problems = domain.check_conditions(conditions)
    if problems:
        raise field_error("conditions", "; ".join(problems))
    _check_audiences(audiences)
    if channels is not None and any(c not in CHANNELS for c in channels):
        raise field_error("channels", f"each one of {', '.join(CHANNELS)}")
    rule = db_session.scalar(select(Rule).where(Rule.name == name)) or Rule(name=name)
    rule.event_type, rule.conditions, rule.audiences, rule.urgent = event_type, conditions, audiences, urgent
    rule.channels, rule.template, rule.active, rule.updated_at = channels, template, active, now
    db_session.add(rule)
    db_session.flush()
    return rule


def distribution_list(*, db_session: Session, name: str) -> list[dict]:
    found = db_session.get(DistributionList, name)
    return list(found.members) if found else []


def ladder_steps(
    *, db_session: Session, recipient: str, urgency: str, default: bool = True, ladders: dict | None = None
) -> list[dict] | None:
    """The recipient's own ladder for ``urgency``, else (with ``default``) everyone's.

    ``ladders``: every ladder's steps by (recipient, urgency) (:func:`all_ladders`), when the caller has read them.
    """
    if ladders is not None:
        found = ladders.get((recipient, urgency))
        if found is None and default and recipient != "*":
            found = ladders.get(("*", urgency))
    else:
        ladder = db_session.scalar(select(Ladder).where(Ladder.recipient == recipient, Ladder.urgency == urgency))
        if ladder is None and default and recipient != "*":
            ladder = db_session.scalar(select(Ladder).where(Ladder.recipient == "*", Ladder.urgency == urgency))
        found = ladder.steps if ladder is not None else None
    if found is None:
        return None if not default else [{"after_seconds": 0, "channels": ["inbox"]}]
    return list(found)


def all_ladders(*, db_session: Session) -> dict[tuple[str, str], list[dict]]:
    """Every ladder's steps by (recipient, urgency): the table is small (defaults and a few officers' own)."""
    return {(ladder.recipient, ladder.urgency): ladder.steps for ladder in db_session.scalars(select(Ladder))}


def put_ladder(*, db_session: Session, recipient: str, urgency: str, steps: list[dict], now: dt.datetime) -> Ladder:
    """Set an officer's (or ``*``, everyone's) ladder for urgent or normal messages."""
    if urgency not in ("urgent", "normal"):
        raise Problem(404, "Ladders are 'urgent' or 'normal'.")
    last = -1
    for i, step in enumerate(steps):
        if step["after_seconds"] < last:
            raise field_error(f"steps[{i}].after_seconds", "steps must be in time order")
        last = step["after_seconds"]
    ladder = db_session.scalar(select(Ladder).where(Ladder.recipient == recipient, Ladder.urgency == urgency))
    ladder = ladder or Ladder(recipient=recipient, urgency=urgency)
    ladder.steps, ladder.updated_at = steps, now
    db_session.add(ladder)
    db_session.flush()
    return ladder
