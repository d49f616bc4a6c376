"""Reading and replacing distribution lists; each member is an audience spec with the plan's words for it."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan_common.errors import Problem, field_error

from ..rules.models import DistributionList
from ..rules.service import AUDIENCE_TYPES

NEEDS_VALUE = ("agency", "system", "contact", "distribution_list", "on_duty_role")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def all_lists(*, db_session: Session) -> list[DistributionList]:
    return list(db_session.scalars(select(DistributionList).order_by(DistributionList.name)))


def get(*, db_session: Session, name: str) -> DistributionList:
    found = db_session.get(DistributionList, name) if NAME.match(name) else None
    if found is None:
        raise Problem(404, "No such distribution list.")
    return found


def check_members(members: list[dict]) -> None:
    """A clear 422 naming the member that is wrong."""
    if not members:
        raise field_error("members", "at least one member")
    for i, member in enumerate(members):
        if member.get("type") not in AUDIENCE_TYPES:
            raise field_error(f"members[{i}].type", f"one of {', '.join(AUDIENCE_TYPES)}")
        if member["type"] in NEEDS_VALUE and not member.get("value"):
            raise field_error(f"members[{i}].value", f"a {member['type']} member names its {member['type']}")
        channels = member.get("channels")
        if channels is not None and (
            not isinstance(channels, dict) or any(c not in ("email", "sms", "webhook") for c in channels)
        ):
            raise field_error(f"members[{i}].channels", "an object of email, sms, webhook addresses")


def put(
    *, db_session: Session, name: str, title: str, source: str | None, members: list[dict], now: dt.datetime
) -> DistributionList:
    """Create or replace the list called ``name`` (its members in order)."""
    if not NAME.match(name):
        raise field_error("name", "letters, digits, '.', '_' or '-', at most 80")
    check_members(members)
    found = db_session.get(DistributionList, name) or DistributionList(name=name)
    found.title, found.source, found.members, found.updated_at = title, source, members, now
    db_session.add(found)
    db_session.flush()
    return found
