"""The reception rules in force on a visit's day (legal_rules): the channels of reception and whether each
citizen must give an identity document (both changed on 1 July 2026, reference/intake-legal-rules.json)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tiepdan_common.errors import field_error

from ..reference import service as reference


def _rule(db_session: Session, key: str, on: dt.date, default):
    try:
        return reference.rule(db_session=db_session, key=key, on=on)
    except LookupError:  # a database seeded before the rule existed: the law as it stood before
        return default


def check_visit(*, db_session: Session, on: dt.date, channel: str, citizens: list[dict]) -> None:
    """A problem naming the field when the visit breaks a rule in force on ``on``."""
    channels = _rule(db_session, "visit.channels", on, ("in_person",))
    if channel not in channels:
        raise field_error(
            "channel",
            f"reception by {channel!r} is not a form of reception on {on.isoformat()} "
            f"(in force: {', '.join(channels)})",
        )
    if _rule(db_session, "visit.identification_required", on, False):
        for i, citizen in enumerate(citizens):
            if not citizen.get("id_number"):
                raise field_error(
                    f"citizens.{i}.id_number",
                    "an identity document number is required from 1 July 2026 "
                    "(công dân đến nơi tiếp công dân phải xuất trình giấy tờ tùy thân)",
                )
