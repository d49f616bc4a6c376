"""The line each benchmark prints for every goal it measures; bench/run.py gathers them into one table."""

from __future__ import annotations

import json

PREFIX = "GOAL "


def goal(what: str, measured: str, target: str, met: bool) -> None:
    """Print one goal's figure (human-readable in run.py's table, machine-readable here)."""
    print(
        PREFIX + json.dumps({"what": what, "measured": measured, "goal": target, "met": bool(met)}, ensure_ascii=False),
        flush=True,
    )
