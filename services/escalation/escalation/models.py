"""Every table of escalation, imported once so that relationships and migrations see them all."""

from .alert.models import Alert
from .case.models import Case, CaseCounter, CaseSource, TimelineEntry
from .dialogue.models import Dialogue
from .hotspot.models import Hotspot, HotspotCase, HotspotRule, VisitRecord
from .incident.models import Incident
from .plan363.models import Plan363Change, Plan363Entry
from .policy.models import Escalation, EscalationPolicy, EscalationStep
from .province.models import ProvinceRequest
from .summary.models import DailySummary, OverdueItem
from .task.models import CaseTask
from .unit.models import UnitVersion

__all__ = [
    "Alert",
    "Case",
    "CaseCounter",
    "CaseSource",
    "CaseTask",
    "DailySummary",
    "Dialogue",
    "Escalation",
    "EscalationPolicy",
    "EscalationStep",
    "Hotspot",
    "HotspotCase",
    "HotspotRule",
    "Incident",
    "OverdueItem",
    "Plan363Change",
    "Plan363Entry",
    "ProvinceRequest",
    "TimelineEntry",
    "UnitVersion",
    "VisitRecord",
]
