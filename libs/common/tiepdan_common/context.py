"""Per-request and per-message context (request id, correlation id) carried in contextvars."""

from __future__ import annotations

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


def new_id() -> str:
    """Return a fresh random identifier (UUID4 as text)."""
    return str(uuid.uuid4())


def current_correlation_id() -> str:
    """The correlation id of the work in progress, or a new one when there is none."""
    return correlation_id_var.get() or new_id()
