"""Names of units and fields for human-readable titles, read once from the reference files.

Units are dated versions (the 2024 district tree, the two-tier tree from 1 July 2025): a title takes the
name in force on its day, so a case opened today at 31684 says «Phường Mỹ Xuyên», not «Thị trấn Mỹ Xuyên».
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

from tiepdan_common.clock import today
from tiepdan_common.dated import version_on


@lru_cache(maxsize=4)
def _load(reference_dir: str) -> tuple[dict[str, list[dict]], dict]:
    folder = Path(reference_dir)
    units: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("units-*.json")):
        for version in json.loads(path.read_text("utf-8"))["units"]:
            units.setdefault(version["code"], []).append(version)
    for versions in units.values():
        versions.sort(key=lambda v: v.get("valid_from") or "")
    fields = {f["code"]: f for f in json.loads((folder / "fields.json").read_text("utf-8"))["fields"]}
    return units, fields


def unit(reference_dir: Path, code: str, *, on: dt.date | None = None) -> dict:
    """The unit ``code`` as it stood on ``on`` (today in Viet Nam by default); its latest earlier version
    when none was in force that day, and a bare stand-in for a code the files do not know."""
    versions = _load(str(reference_dir))[0].get(code)
    if not versions:
        return {"code": code, "name": code, "level": None}
    return version_on(versions, on or today())


def field(reference_dir: Path, code: str) -> dict:
    return _load(str(reference_dir))[1].get(code, {"code": code, "name_vi": code, "agency": None})
