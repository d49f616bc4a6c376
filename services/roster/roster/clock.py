"""The roster's clock: injectable, so reminders and coverage ahead can be tested without sleeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import current_app

from tiepdan_common.models import utcnow

Clock = Callable[[], dt.datetime]


def install(app, clock: Clock | None = None) -> None:
    """Give ``app`` a clock (the real one unless a test passes its own)."""
    app.extensions.setdefault("roster", {})["clock"] = clock or utcnow


def now() -> dt.datetime:
    """The current instant, in UTC, by the app's clock."""
    return current_app.extensions["roster"]["clock"]()
