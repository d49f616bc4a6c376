"""One command for every benchmark: `python bench/run.py` (or `make bench`).

Each benchmark starts what it needs (an isolated system, throwaway PostgreSQL
databases), prints its figures beside a baseline measured in the same run, and
this script collects what they printed into docs/benchmarks.md with the machine
and the command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _report import PREFIX

ROOT = HERE.parent

# The latency benchmarks first: the intake bench writes a million visits, and PostgreSQL's checkpoints
# of that much data went on into the next benchmark (a 20/s run right after it had an 820 ms tail).
BENCHMARKS = [
    ("Mass visit to inbox, and memory per process", "e2e_latency.py", []),
    ("Backlog drain after a broker outage", "backlog.py", ["--events", "10000"]),
    ("Escalation timer lateness", "escalation_timers.py", []),
    ("Notify's sender against bare provider calls", "notify_sender.py", []),
    ("Gateway against direct calls", "gateway_bench.py", []),
    ("Intake writes and list queries", "intake_bench.py", []),
]


def checkpoint() -> None:
    """Write PostgreSQL's dirty pages out now, so that a benchmark does not pay for the one before it."""
    import sqlalchemy as sa

    from tiepdan_common.testing import admin_postgres_url

    engine = sa.create_engine(admin_postgres_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("CHECKPOINT"))
    engine.dispose()


def machine() -> str:
    cpus = os.cpu_count()
    mem = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "?"
    )
    load = os.getloadavg()
    return (
        f"{platform.node()}: {cpus} cores, {int(mem) // 1024 // 1024} GiB, Python {platform.python_version()}, "
        f"load average at start {load[0]:.1f}"
    )


def speed() -> str:
    """How fast this machine runs today, so that runs on other days or hosts can be compared (the same
    machine kind has run the same code two to three times slower from one session to the next):
    medians of a fixed pure-Python loop and of PostgreSQL ``SELECT 1`` round trips."""
    import statistics
    import time

    import sqlalchemy as sa

    from tiepdan_common.testing import admin_postgres_url

    loops = []
    for _ in range(7):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        loops.append((time.perf_counter() - started) * 1000)
    engine = sa.create_engine(admin_postgres_url())
    trips = []
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        for _ in range(500):
            started = time.perf_counter()
            cursor.execute("SELECT 1").fetchone()
            trips.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return (
        f"Speed of the machine: a pure-Python loop of a million squares {statistics.median(loops):.0f} ms, "
        f"a PostgreSQL `SELECT 1` round trip {statistics.median(trips):.3f} ms (medians)."
    )


HISTORY = "\n## History\n\n"
HISTORY_ROWS = 12


def history(earlier: str, goals: list[dict]) -> str:
    """The short history table: this run's goals on one row above the rows of earlier runs."""
    rows = []
    if HISTORY in earlier:
        rows = [line for line in earlier.split(HISTORY, 1)[1].splitlines() if line.startswith("| 20")]
    when = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}"
    cells = "; ".join(f"{g['what']}: {g['measured']}{'' if g['met'] else ' (**not met**)'}" for g in goals)
    rows = [f"| {when} | {cells} |", *rows][:HISTORY_ROWS]
    return (
        HISTORY + "Each earlier full run, newest first (UTC; the machine's speed differs from run to run).\n\n"
        "| run | figures |\n|---|---|\n" + "\n".join(rows) + "\n"
    )


def main() -> int:
    only = set(sys.argv[1:])
    sections = [
        (
            f"# Benchmarks\n\nMeasured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.\n"
            f"{speed()}\n"
            f"Command: `python bench/run.py` (each section also says its own command).\n"
        )
    ]
    failed = 0
    goals: list[dict] = []
    for title, script, args in BENCHMARKS:
        if only and script not in only:
            continue
        path = HERE / script
        if not path.exists():
            sections.append(f"\n## {title}\n\n`bench/{script}` is not there yet.\n")
            continue
        checkpoint()
        print(f"=== {title}: bench/{script} {' '.join(args)}", flush=True)
        proc = subprocess.run(
            [sys.executable, str(path), *args], cwd=HERE, capture_output=True, text=True, timeout=1800
        )
        lines = []
        for line in proc.stdout.splitlines():
            if line.startswith(PREFIX):
                goals.append(json.loads(line[len(PREFIX) :]))
            elif not line.startswith("{"):
                lines.append(line)
        print("\n".join(lines), flush=True)
        if proc.returncode != 0:
            failed += 1
            lines.append(f"(exit status {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]})")
        sections.append(
            f"\n## {title}\n\n`python bench/{script} {' '.join(args)}`\n\n```\n" + "\n".join(lines) + "\n```\n"
        )
    table = ["\n## The goals, side by side\n\n| what | measured | goal | met |\n|---|---|---|---|\n"]
    table += [f"| {g['what']} | {g['measured']} | {g['goal']} | {'yes' if g['met'] else '**no**'} |\n" for g in goals]
    sections.insert(1, "".join(table))
    target = ROOT / "docs" / "benchmarks.md"
    earlier = target.read_text(encoding="utf-8") if target.exists() else ""
    sections.append(history(earlier, goals))
    target.write_text("".join(sections), encoding="utf-8")
    print("written to docs/benchmarks.md")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
