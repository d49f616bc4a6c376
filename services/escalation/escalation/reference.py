"""Names of units and fields for human-readable titles, read once from the reference files."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=4)
def _load(reference_dir: str) -> tuple[dict, dict]:
    folder = Path(reference_dir)
    units = {u["code"]: u for u in json.loads((folder / "units-my-xuyen-2024.json").read_text("utf-8"))["units"]}
    fields = {f["code"]: f for f in json.loads((folder / "fields.json").read_text("utf-8"))["fields"]}
    return units, fields


def unit(reference_dir: Path, code: str) -> dict:
    return _load(str(reference_dir))[0].get(code, {"code": code, "name": code, "level": None})


def field(reference_dir: Path, code: str) -> dict:
    return _load(str(reference_dir))[1].get(code, {"code": code, "name_vi": code, "agency": None})
