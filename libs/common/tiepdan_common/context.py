"""Per-request and per-message context (request id, correlation id) carried in contextvars."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


def new_id() -> str:
    """Return a fresh random identifier (UUID4 as text)."""
    return str(uuid.uuid4())


def current_correlation_id() -> str:
    """The correlation id of the work in progress, or a new one when there is none."""
    return correlation_id_var.get() or new_id()


@contextlib.contextmanager
def correlated(correlation_id: str | None) -> Iterator[None]:
    """Run the block as part of ``correlation_id``'s work (the events it stages carry it)."""
    token = correlation_id_var.set(correlation_id)
    try:
        yield
    finally:
        correlation_id_var.reset(token)
