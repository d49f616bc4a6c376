"""Rules of the unit copy, without a framework: which change wins, and the version in force on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tiepdan_common.dated import version_on


def newer(current: int | None, incoming: int | None) -> bool:
    """Whether a change of intake's reference version ``incoming`` may overwrite a row at ``current``
    (a row from the files, or a change without a version, is always overwritten)."""
    return current is None or incoming is None or incoming > current


def parse_key(key: str) -> tuple[str, dt.date]:
    """``code@valid_from`` (intake's key of a unit version) as its code and first day; ValueError if malformed."""
    code, _, day = key.partition("@")
    if not code or not day:
        raise ValueError(f"not a unit key: {key!r}")
    return code, dt.date.fromisoformat(day)


def stand_in(code: str) -> dict:
    """What a code no version is known for stands for: itself."""
    return {"code": code, "name": code, "level": None, "parent": None}


class Directory:
    """Unit versions by code, each a dict with ISO ``valid_from``/``valid_to``, read once and asked many times."""

    def __init__(self, versions: Iterable[dict]) -> None:
        self._by_code: dict[str, list[dict]] = {}
        for version in versions:
            self._by_code.setdefault(version["code"], []).append(version)

    def unit(self, code: str, on: dt.date) -> dict:
        """The version of ``code`` in force on ``on``; its latest earlier one when none was; a stand-in when
        none is known."""
        found = version_on(self._by_code.get(code, []), on)
        return found if found is not None else stand_in(code)

    def name(self, code: str, on: dt.date) -> str:
        return str(self.unit(code, on)["name"])
