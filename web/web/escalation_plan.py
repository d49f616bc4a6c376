"""What the escalation of a visit's case did and will do next, read from the case, its policy and notify.

The desk says this after a mass visit instead of a promise of its own: the words follow the
policy that actually runs.
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from . import labels
from .auth import can
from .cases import escalation_of
from .gateway import get


def target_words(target: dict | None) -> str:
    """A policy step's target in a clerk's words: «Trưởng ca (Ban TCD) đang trực», «Cơ quan (Thanh tra huyện)»."""
    if not target:
        return ""
    kind, value = target.get("type"), target.get("value")
    if kind == "on_duty_role" and value:
        return _("%(role)s đang trực", role=labels.label(labels.DUTY_ROLES, value))
    words = labels.label(labels.ESCALATION_TARGETS, kind)
    if value:
        from .reference import agency_name

        words = f"{words} ({agency_name(value)})"
    return words


def policies() -> list[dict]:
    """Escalation's policies (asked once per request)."""
    if "escalation_policies" not in g:
        answer = get("/escalation/policies")
        g.escalation_policies = answer.data if answer.ok and isinstance(answer.data, list) else []
    return g.escalation_policies


def next_target(escalation: dict) -> str:
    """Who the next step of the case's policy tells (the policy as escalation holds it)."""
    policy = next((p for p in policies() if p.get("name") == escalation.get("policy")), None)
    steps = (policy or {}).get("steps") or []
    index = escalation.get("step_index")
    if not isinstance(index, int) or not 0 <= index < len(steps):
        return ""
    return target_words(steps[index].get("target"))


def plan_for_visit(visit_id: str) -> dict:
    """The case the visit opened or joined, who was told, and the next step with its time (or nothing yet)."""
    listed = get("/escalation/cases", source_type="visit", source_id=visit_id, limit=1)
    cases = listed.data if listed.ok and isinstance(listed.data, list) else []
    if not cases:
        return {"case": None, "error": None if listed.ok else labels.status_message(listed.status)}
    case = cases[0]
    escalation = escalation_of(case["id"])
    told = []
    if can("deliveries:read"):
        deliveries = get("/notify/deliveries", case_id=case["id"], limit=50)
        if deliveries.ok and isinstance(deliveries.data, list):
            told = deliveries.data
    waiting = bool(escalation) and escalation.get("status") == "active"
    return {
        "case": case,
        "escalation": escalation,
        "told": told,
        "error": None,
        "next_at": escalation.get("next_step_at") if waiting else None,
        "next_target": next_target(escalation) if waiting else "",
    }
