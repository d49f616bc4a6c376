"""An injectable clock, so that ladder and retry tests move time instead of sleeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tiepdan_common.config import Settings
from tiepdan_common.models import utcnow

Clock = Callable[[], dt.datetime]


def clock_of(settings: Settings) -> Clock:
    """The settings' clock (``extra["clock"]``, a callable returning an aware datetime), else the real one."""
    return settings.extra.get("clock") or utcnow


def request_now() -> dt.datetime:
    """The time now, by the app's clock (inside a request)."""
    from flask import current_app

    return clock_of(current_app.extensions["tiepdan"]["settings"])()


def settings_extra() -> dict:
    """The app's notify settings (inside a request)."""
    from flask import current_app

    return current_app.extensions["tiepdan"]["settings"].extra
