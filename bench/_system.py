"""Shared by the benchmarks: start an isolated tiepdan with the system-test harness and drive it."""

from __future__ import annotations

import datetime as dt
import json
import resource
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from harness import Reconciliation, System

from tiepdan_common.clock import LOCAL, offset_to

# The benchmarks run the 2024 plan's demo with every clock in its period: thirteen units and the seeded roster
# of the 7th session give each visit of a round a matter of its own.
DEMO_FILE = ROOT / "demo" / "demo-2024.json"
DEMO = json.loads(DEMO_FILE.read_text("utf-8"))
PLAN_START = dt.datetime(2024, 6, 10, 8, 0, tzinfo=LOCAL)


def start_system(*, through_proxies: bool = True, **env) -> System:
    """A freshly prepared and started system in a temporary folder.

    ``through_proxies=False`` for a benchmark that cuts nothing: the processes then reach RabbitMQ,
    the mail sink and the SMS provider directly, not through the harness's forwarding threads.
    """
    system = System(Path(tempfile.mkdtemp(prefix="tiepdan-bench-")))
    system.demo_file = DEMO_FILE
    system.extra_env = {"TIEPDAN_CLOCK_OFFSET_SECONDS": str(round(offset_to(PLAN_START))), **env}
    system.through_proxies = through_proxies
    system.prepare()
    system.start_all()
    return system


def system_now(system: System) -> dt.datetime:
    """The time the system's processes read (the plan's period): PostgreSQL's own now() is the machine's."""
    return dt.datetime.now(dt.UTC) + dt.timedelta(
        seconds=float(system.extra_env.get("TIEPDAN_CLOCK_OFFSET_SECONDS", 0))
    )


def client_token(system: System, client_id: str) -> str:
    client = next(c for c in DEMO["clients"] if c["client_id"] == client_id)
    return system.token(client["client_id"], client["client_secret"])


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> str:
    return (
        f"n={len(values)} p50={percentile(values, 50):.1f} p99={percentile(values, 99):.1f} "
        f"max={max(values):.1f} mean={statistics.fmean(values):.1f}"
    )


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MiB (from /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def memory_table(system: System) -> dict[str, float]:
    """Resident memory (MiB) of every process of the system, a gunicorn master and its workers summed."""
    import os

    table = {}
    for name, process in system.processes.items():
        pids = [process.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text().split()
                except OSError:
                    continue
                if int(stat[3]) == process.pid:
                    pids.append(int(entry))
        table[name] = round(sum(rss_mb(pid) for pid in pids), 1)
    return table


__all__ = [
    "Reconciliation",
    "System",
    "client_token",
    "memory_table",
    "percentile",
    "resource",
    "rss_mb",
    "start_system",
    "summary",
]
