"""tiepdan roster: agencies, officers, the duty roster (lịch trực), who is on duty and on call."""

from .app import create_app

__all__ = ["create_app"]
