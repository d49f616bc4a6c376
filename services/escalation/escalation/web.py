"""What escalation's views share: the app's clock and settings, and who counts as a restricted reader."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from tiepdan_common.identity import Identity

# These callers read cases only through police-safe schemas: no timeline details, no dialogues, no notes.
RESTRICTED_KINDS = ("police", "province")


def now() -> dt.datetime:
    """The current time by the app's clock (tests inject their own)."""
    return current_app.extensions["tiepdan"]["settings"].clock()


def restricted(identity: Identity) -> bool:
    return identity.kind in RESTRICTED_KINDS
