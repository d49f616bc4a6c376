"""JSON logs, one object per line, carrying the request id and correlation id of the work in progress."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from .context import correlation_id_var, request_id_var


class ContextFilter(logging.Filter):
    """Adds service, request_id and correlation_id to every record."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        record.correlation_id = correlation_id_var.get()
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send JSON log lines to stderr for the whole process (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_tiepdan", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._tiepdan = True  # type: ignore[attr-defined]
    handler.addFilter(ContextFilter(service))
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(request_id)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
    # pika is chatty at INFO about every connection step.
    logging.getLogger("pika").setLevel(logging.WARNING)
