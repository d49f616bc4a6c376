"""Names of fields (lĩnh vực) for human-readable titles, read once from reference/fields.json.

Units are not here: escalation keeps its own copy of them, following intake (``escalation.unit``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=4)
def _fields(reference_dir: str) -> dict:
    folder = Path(reference_dir)
    return {f["code"]: f for f in json.loads((folder / "fields.json").read_text("utf-8"))["fields"]}


def field(reference_dir: Path, code: str) -> dict:
    return _fields(str(reference_dir)).get(code, {"code": code, "name_vi": code, "agency": None})
