"""tiepdan notify: turns events into messages that reach people, and keeps proof that they did."""

from .app import create_app

__all__ = ["create_app"]
