"""A petition's lifecycle: which step is allowed from which state, free of Flask and SQLAlchemy.

Each step names the states it may start from, the state it leads to (``None``: the state stays), the
categories it applies to and its legal basis. Steps that a law brought in later carry the day from
which they apply to what is received (``law.json``: ``steps``). Sources: Law on Citizen Reception
42/2013 Arts. 26, 28; Law on Complaints 02/2011 Arts. 10, 11, 27-31, 36-41; Law on Denunciation
25/2018 Arts. 24, 25, 29-35; Law 136/2025/QH15 (in force 1 July 2026).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

STATES = (
    "received",
    "accepted",
    "not_accepted",
    "guided",
    "forwarded",
    "returned_to_lower_level",
    "temporarily_suspended",
    "suspended",
    "withdrawn",
    "resolved",
    "archived",
    "repeat",
    "inspection",
    "filed",
    "voided",
)
OPEN_STATES = ("received", "accepted", "temporarily_suspended", "inspection")
OUTCOMES = ("upheld", "rejected", "partly_upheld")
ALL = ("complaint", "denunciation", "recommendation", "feedback")
DISPUTES = ("complaint", "denunciation")


@dataclasses.dataclass(frozen=True)
class Step:
    """A step of handling: from which states, to which state, for which categories, on what basis."""

    name: str
    label_vi: str
    from_states: tuple[str, ...]
    to_state: str | None
    basis: str
    categories: tuple[str, ...] = ALL
    needs: tuple[str, ...] = ()  # input fields the step cannot do without
    anonymous: bool = False  # may be taken on an anonymous petition


_TERMINAL_OR_DONE = (
    "not_accepted",
    "guided",
    "forwarded",
    "returned_to_lower_level",
    "resolved",
    "withdrawn",
    "suspended",
    "repeat",
    "inspection",
    "filed",
    "received",
)

STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step(
            "accept",
            "Thụ lý",
            ("received",),
            "accepted",
            "Luật Khiếu nại 02/2011, Điều 27; Luật Tố cáo 25/2018, Điều 29; Luật Tiếp công dân 42/2013, Điều 28",
        ),
        Step(
            "not_accept",
            "Không thụ lý",
            ("received",),
            "not_accepted",
            "Luật Khiếu nại 02/2011, Điều 11; Luật Tố cáo 25/2018, Điều 29",
            needs=("ground",),
        ),
        Step(
            "guide",
            "Hướng dẫn",
            ("received",),
            "guided",
            "Luật Tiếp công dân 42/2013, Điều 26, 28(1)",
            needs=("to_body",),
        ),
        Step(
            "forward",
            "Chuyển đơn",
            ("received", "inspection"),
            "forwarded",
            "Luật Tiếp công dân 42/2013, Điều 28(1); Luật Tố cáo 25/2018, Điều 24, 25",
            needs=("to_body", "letter_number", "letter_date"),
            anonymous=True,
        ),
        Step(
            "reforward",
            "Chuyển lại đơn",
            ("forwarded",),
            "forwarded",
            "Luật Tiếp công dân 42/2013, Điều 28(1)",
            needs=("to_body", "letter_number", "letter_date"),
            anonymous=True,
        ),
        Step(
            "return_to_lower_level",
            "Chuyển cấp dưới giải quyết",
            ("received",),
            "returned_to_lower_level",
            "Luật Tiếp công dân 42/2013, Điều 26",
            needs=("to_unit",),
        ),
        Step(
            "extend",
            "Gia hạn giải quyết",
            ("accepted",),
            None,
            "Luật Tố cáo 25/2018, Điều 30(1)",
            categories=("denunciation",),
            needs=("reason",),
        ),
        Step(
            "temporarily_suspend",
            "Tạm đình chỉ giải quyết",
            ("accepted",),
            "temporarily_suspended",
            "Luật Tố cáo 25/2018, Điều 31; Luật 136/2025/QH15 (khiếu nại)",
            categories=DISPUTES,
            needs=("reason",),
        ),
        Step(
            "resume",
            "Tiếp tục giải quyết",
            ("temporarily_suspended",),
            "accepted",
            "Luật Tố cáo 25/2018, Điều 31; Luật 136/2025/QH15 (khiếu nại)",
            categories=DISPUTES,
        ),
        Step(
            "suspend",
            "Đình chỉ giải quyết",
            ("accepted", "temporarily_suspended"),
            "suspended",
            "Luật Tố cáo 25/2018, Điều 31; Luật 136/2025/QH15 (khiếu nại)",
            categories=DISPUTES,
            needs=("reason",),
        ),
        Step(
            "withdraw",
            "Rút toàn bộ",
            ("received", "accepted", "temporarily_suspended"),
            "withdrawn",
            "Luật Khiếu nại 02/2011, Điều 10 (sửa đổi bởi Luật 136/2025/QH15); Luật Tố cáo 25/2018, Điều 33",
            categories=DISPUTES,
        ),
        Step(
            "withdraw_part",
            "Rút một phần",
            ("received", "accepted", "temporarily_suspended"),
            None,
            "Luật 136/2025/QH15 (rút khiếu nại một phần)",
            categories=DISPUTES,
            needs=("reason",),
        ),
        Step(
            "dialogue_held",
            "Đối thoại",
            ("accepted",),
            None,
            "Luật Khiếu nại 02/2011, Điều 30, 39",
            categories=("complaint",),
            needs=("held_on",),
        ),
        Step(
            "dialogue_skipped",
            "Người khiếu nại vắng mặt khi đối thoại",
            ("accepted",),
            None,
            "Luật Khiếu nại 02/2011, Điều 30, 39 (sửa đổi bởi Luật 136/2025/QH15)",
            categories=("complaint",),
            needs=("held_on",),
        ),
        Step(
            "resolve",
            "Giải quyết",
            ("accepted",),
            "resolved",
            "Luật Khiếu nại 02/2011, Điều 31, 40; Luật Tố cáo 25/2018, Điều 35",
            needs=("outcome", "resolution"),
        ),
        Step(
            "archive",
            "Lưu đơn",
            _TERMINAL_OR_DONE,
            "archived",
            "Luật Tiếp công dân 42/2013, Điều 26",
            needs=("reason",),
            anonymous=True,
        ),
    )
}

# Steps a desk records itself, not through POST /steps.
AUTOMATIC = (
    "received",
    "inspection",
    "filed",
    "repeat_confirmed",
    "repeat_overridden",
    "informed",
    "corrected",
    "voided",
)


class StepNotAllowed(Exception):
    """The step is not allowed for this petition now (answered 409)."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step
        self.message = message


def check(
    *,
    step: str,
    status: str,
    category: str,
    anonymous: bool,
    received_on: dt.date,
    available_from: dict[str, dict[str, dt.date]],
) -> Step:
    """The step, if it may be taken now; else :class:`StepNotAllowed`.

    ``available_from``: step -> category -> the first day of receipt it applies to (dated law).
    """
    found = STEPS.get(step)
    if found is None:
        raise KeyError(step)
    if status not in found.from_states:
        allowed = ", ".join(found.from_states)
        raise StepNotAllowed(step, f"'{step}' is not allowed from '{status}' (only from: {allowed})")
    if category not in found.categories:
        raise StepNotAllowed(step, f"'{step}' does not apply to a {category}")
    if anonymous and not found.anonymous:
        raise StepNotAllowed(step, f"'{step}' does not apply to an anonymous petition (Law on Denunciation Art. 25)")
    since = available_from.get(step, {}).get(category)
    if since is not None and received_on < since:
        raise StepNotAllowed(step, f"'{step}' applies to petitions received from {since.isoformat()}")
    return found


def allowed(
    *, status: str, category: str, anonymous: bool, received_on: dt.date, available_from: dict[str, dict[str, dt.date]]
) -> list[str]:
    """The steps that may be taken now, in the order of :data:`STEPS`."""
    out = []
    for name in STEPS:
        try:
            check(
                step=name,
                status=status,
                category=category,
                anonymous=anonymous,
                received_on=received_on,
                available_from=available_from,
            )
        except StepNotAllowed:
            continue
        out.append(name)
    return out


def anonymous_track(*, category: str, anonymous: bool, verifiable: bool) -> str | None:
    """Where an anonymous denunciation goes (Art. 25): an inspection or check when verifiable, else filed."""
    if not anonymous or category != "denunciation":
        return None
    return "inspection" if verifiable else "filed"


def dialogue_blocks_resolution(last_dialogue: dict | None) -> bool:
    """A dialogue skipped for a valid reason (or before the rule of 1 July 2026) must be held before resolving."""
    return bool(last_dialogue) and last_dialogue["step"] == "dialogue_skipped" and not last_dialogue["continues"]


def skipped_dialogue_continues(*, valid_reason: bool, received_on: dt.date, rule_from: dt.date | None) -> bool:
    """Resolution goes on when the complainant skips the dialogue without a valid reason (from 1 July 2026)."""
    return not valid_reason and rule_from is not None and received_on >= rule_from
