"""Who counts as a restricted reader of cases."""

from __future__ import annotations

from tiepdan_common.identity import Identity

# These callers read cases only through police-safe schemas: no timeline details, no dialogues, no notes.
RESTRICTED_KINDS = ("police", "province")


def restricted(identity: Identity) -> bool:
    return identity.kind in RESTRICTED_KINDS
