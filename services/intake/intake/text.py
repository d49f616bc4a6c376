"""Folding Vietnamese text for search: "Đất đai" and "dat dai" fold to the same key."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case ``text`` without diacritics (NFD, combining marks dropped, đ→d), spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.casefold().split())


def like_pattern(query: str) -> str:
    """A LIKE pattern matching ``query`` folded, with LIKE's wildcards escaped (escape char ``\\``)."""
    folded = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{folded}%"
