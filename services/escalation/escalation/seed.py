"""Default escalation policies and hot-spot rules (data: change them through the API or this seed)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .hotspot.models import HotspotRule
from .policy.models import EscalationPolicy


def _step(target_type: str, value: str | None = None, wait: int = 15, public_order_only: bool = False) -> dict:
    return {
        "target": {"type": target_type, "value": value},
        "wait_minutes": wait,
        "public_order_only": public_order_only,
    }


# The officers on duty hear of a new case from escalation.case.opened; a policy's first step (the shift
# lead) comes only if nobody acknowledged within its first wait. Office hours are 07:00-17:00 local; out of
# hours the leader on call comes sooner. The police step applies only to cases flagged for public order
# (Law 42/2013, Art. 31).
POLICIES = [
    {
        "name": "critical-public-order",
        "priority": 10,
        "severities": ["high", "critical"],
        "public_order_only": True,
        "description": "Đoàn đông người có nguy cơ mất an ninh trật tự: báo ngay lãnh đạo trực và công an.",
        "first_wait_minutes": 5,
        "steps": [
            _step("on_duty_role", "lead", 5),
            _step("leader_on_call", None, 10),
            _step("police", None, 10),
            _step("commune", None, 15),
            _step("agency", "TTR", 15),
        ],
        "repeat_from": 1,
        "max_repeats": 3,
        "progress_timeout_minutes": 30,
    },
    {
        "name": "mass-office-hours",
        "priority": 50,
        "hours_from": 7,
        "hours_to": 17,
        "description": "Đoàn đông người trong giờ hành chính: trưởng ca trực, cơ quan chủ trì, lãnh đạo trực, thanh tra.",
        "first_wait_minutes": 10,
        "steps": [
            _step("on_duty_role", "lead", 15),
            _step("agency", None, 15),
            _step("leader_on_call", None, 30),
            _step("agency", "TTR", 30),
            _step("police", None, 30, public_order_only=True),
        ],
        "repeat_from": 2,
        "max_repeats": 2,
        "progress_timeout_minutes": 60,
    },
    {
        "name": "mass-after-hours",
        "priority": 60,
        "hours_from": 17,
        "hours_to": 7,
        "description": "Ngoài giờ hành chính: trưởng ca trực rồi lãnh đạo trực sớm hơn.",
        "first_wait_minutes": 10,
        "steps": [
            _step("on_duty_role", "lead", 10),
            _step("leader_on_call", None, 20),
            _step("agency", "TTR", 20),
            _step("police", None, 20, public_order_only=True),
        ],
        "repeat_from": 1,
        "max_repeats": 2,
        "progress_timeout_minutes": 60,
    },
]

HOTSPOT_RULES = [
    {"name": "2 đoàn đông người trong 7 ngày", "window_days": 7, "min_mass_visits": 2, "status": "watching"},
    {"name": "3 đoàn đông người trong 7 ngày", "window_days": 7, "min_mass_visits": 3, "status": "active"},
    {"name": "30 công dân trong 7 ngày", "window_days": 7, "min_citizens": 30, "status": "active"},
    {
        "name": "Sự việc an ninh trật tự và đoàn đông người trong 7 ngày",
        "window_days": 7,
        "min_incidents": 1,
        "min_mass_visits": 1,
        "status": "active",
    },
]


def seed_defaults(db_session: Session) -> tuple[int, int]:
    """Add the default policies and rules that are missing (by name); existing ones are left as edited."""
    policies = rules = 0
    have = set(db_session.scalars(select(EscalationPolicy.name)))
    for raw in POLICIES:
        if raw["name"] not in have:
            db_session.add(EscalationPolicy(**raw))
            policies += 1
    have = set(db_session.scalars(select(HotspotRule.name)))
    for raw in HOTSPOT_RULES:
        if raw["name"] not in have:
            db_session.add(HotspotRule(**raw))
            rules += 1
    return policies, rules
