"""Who in an agency is told: those on duty for it now, else its head, else everyone in it (pure rules).

An agency's head (thủ trưởng) is the officer whose title says so in roster: "Trưởng phòng...", "Chánh
Văn phòng...", "Chánh Thanh tra...", "Chủ tịch UBND...", "Giám đốc...", "Trưởng Công an...". A deputy's
title begins with "Phó" and is not a head's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

HEAD_TITLES = ("trưởng", "chánh", "chủ tịch", "giám đốc", "bí thư", "chỉ huy trưởng")


def _folded(text: str | None) -> str:
    return unicodedata.normalize("NFC", " ".join((text or "").split())).casefold()


def is_head(title: str | None, head_titles: Iterable[str] = HEAD_TITLES) -> bool:
    """True when an officer's title names the head of their agency (never a deputy's, "Phó ...")."""
    folded = _folded(title)
    return bool(folded) and any(folded.startswith(_folded(prefix)) for prefix in head_titles)


def agency_people(
    *, on_duty: list[dict], members: list[dict], everyone: bool = False, head_titles: Iterable[str] = HEAD_TITLES
) -> tuple[list[dict], str]:
    """(officers, why) for an agency audience: ``everyone`` asks for every member; otherwise those on duty
    for the agency now, else its head(s), else every member (an agency whose head roster does not name)."""
    if everyone:
        return members, "members"
    if on_duty:
        return on_duty, "on_duty"
    heads = [m for m in members if is_head(m.get("title"), head_titles)]
    if heads:
        return heads, "head"
    return members, "members"
