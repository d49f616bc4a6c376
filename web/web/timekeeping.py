"""The dashboard's time: the app's clock (tiepdan_common's, shifted as the services' in a demo run) read in
Viet Nam's zone, which tiepdan_common.clock.LOCAL alone defines."""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context

from tiepdan_common.clock import LOCAL, utcnow


def now_local() -> dt.datetime:
    """Now in Viet Nam, by the running app's clock (``WebSettings.clock``; tests pass a FakeClock)."""
    clock = current_app.extensions["tiepdan_web"]["settings"].clock if has_app_context() else utcnow
    return clock().astimezone(LOCAL)


def today_local() -> dt.date:
    """Today in Viet Nam, by the app's clock."""
    return now_local().date()
