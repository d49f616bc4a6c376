"""tiepdan escalation: cases (vụ việc), escalation, hot spots (điểm nóng), police incidents, province requests."""

from .app import create_app

__all__ = ["create_app"]
