"""How fast roster answers "who is on duty at T": /on-duty, /on-call and /on-duty/next against /livez.

Run: ../../.venv/bin/python bench/on_duty.py [database-url]   (default: a throwaway SQLite file)
Prints the median and 95th percentile of each, in milliseconds, beside /livez measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from roster import create_app
from tiepdan_common.clock import LOCAL
from tiepdan_common.testing import identity_headers, migrated_app

ROOT = Path(__file__).resolve().parents[3]


def measure(client, path, headers, queries, n=300):
    times = []
    for _ in range(n):
        query = queries()
        started = time.perf_counter()
        resp = client.get(path, query_string=query, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200, resp.data
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = migrated_app(
        create_app,
        url,
        "--demo",
        str(ROOT / "demo" / "demo.json"),
        "--days-ahead",
        "60",
        reference_dir=ROOT / "reference",
    )
    client, headers = app.test_client(), identity_headers(subject="bench", kind="service", permissions=("roster:read",))
    start = dt.datetime(2024, 5, 20, tzinfo=LOCAL)

    def random_instant():
        return {"at": (start + dt.timedelta(minutes=random.randrange(41 * 24 * 60))).isoformat()}

    rows = [
        ("/livez (baseline)", "/livez", dict),
        ("/on-duty", "/on-duty", random_instant),
        ("/on-call", "/on-call", random_instant),
        ("/on-duty/next?role=lead", "/on-duty/next", lambda: random_instant() | {"role": "lead"}),
    ]
    for label, path, queries in rows:
        median, p95 = measure(client, path, headers, queries)
        print(f"{label:28s} median {median:6.2f} ms   p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
