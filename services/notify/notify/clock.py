"""The time inside a request, by the app's clock (``settings.clock``)."""

from __future__ import annotations

import datetime as dt


def request_now() -> dt.datetime:
    """The time now, by the app's clock (inside a request)."""
    from flask import current_app

    return current_app.extensions["tiepdan"]["settings"].clock()
