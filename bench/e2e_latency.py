"""Time from a mass visit being accepted to the on-duty officer's inbox message, at 20 and 100 visits/s.

Each visit is a mass visit about a matter (origin unit, field) that has no open
case, so each opens a case and notify tells the officers on duty. Latency is
the notify inbox row's creation time minus the intake visit row's creation
time (one clock: both on this machine). Between rounds every case is closed so
the next round's matters open new cases. Goals: p99 < 300 ms at 20/s, < 1 s at
100/s. Baseline in the same run: the gateway's round trip for the POST itself.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from _report import goal
from _system import ROOT, Reconciliation, client_token, memory_table, percentile, start_system, system_now

# The 2024 plan's units: the benchmarks run in its period (``_system.start_system``).
UNITS = [u["code"] for u in json.loads((ROOT / "reference" / "units-my-xuyen-2024.json").read_text())["units"]]
FIELDS = [f["code"] for f in json.loads((ROOT / "reference" / "fields.json").read_text())["fields"]]


def visit(origin: str, field: str) -> dict:
    return {
        "category": "complaint",
        "field": field,
        "origin_unit": origin,
        "group_size": 6,
        "content": f"Đoàn đông người về {field} tại {origin}",
        "citizens": [{"full_name": "Người đại diện", "is_representative": True}],
        "outcome": {"type": "documents_taken"},
    }


def run_round(system, token, rate: float, matters: list[tuple[str, str]]) -> tuple[list[str], list[float]]:
    """Post one visit per matter at ``rate`` per second; return visit ids and POST round trips (ms)."""
    session = requests.Session()
    ids, posts = [], []

    def post(matter):
        started = time.perf_counter()
        resp = session.post(
            f"{system.gateway}/api/v1/intake/visits",
            json=visit(*matter),
            timeout=30,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        resp.raise_for_status()
        return resp.json()["id"], (time.perf_counter() - started) * 1000

    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = []
        start = time.perf_counter()
        for i, matter in enumerate(matters):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(post, matter))
        for f in futures:
            visit_id, ms = f.result()
            ids.append(visit_id)
            posts.append(ms)
    return ids, posts


def latencies(rec: Reconciliation, visit_ids: list[str], timeout: float = 60) -> tuple[list[float], list[float]]:
    """Milliseconds from each visit row to the first inbox message about its case, and to its case's opening."""
    deadline = time.monotonic() + timeout
    while True:
        rows = rec.rows(
            "escalation",
            "SELECT s.source_id, s.case_id, c.opened_at FROM case_sources s "
            "JOIN cases c ON c.id = s.case_id "
            "WHERE s.source_type = 'visit' AND s.source_id = ANY(:ids)",
            ids=visit_ids,
        )
        case_of = {visit: case for visit, case, _ in rows}
        opened = {case: at for _, case, at in rows}
        told = dict(
            rec.rows(
                "notify",
                "SELECT case_id, min(created_at) FROM inbox_messages WHERE case_id = ANY(:ids) GROUP BY case_id",
                ids=list(case_of.values()),
            )
        )
        if len(told) >= len(visit_ids) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    created = dict(rec.rows("intake", "SELECT id, created_at FROM visits WHERE id = ANY(:ids)", ids=visit_ids))
    done = [v for v in visit_ids if v in case_of and case_of[v] in told]
    return (
        [(told[case_of[v]] - created[v]).total_seconds() * 1000 for v in done],
        [(opened[case_of[v]] - created[v]).total_seconds() * 1000 for v in done],
    )


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> dict[int, tuple[str, int, int]]:
    """{pid: (command name, parent pid, utime+stime in clock ticks)} for every process on the machine."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()  # from field 3 (state) on
        out[int(entry)] = (comm, int(fields[1]), int(fields[11]) + int(fields[12]))
    return out


def cpu_sample(system) -> dict[str, dict[int, int]]:
    """CPU ticks so far per process of the system, by name, each with its pids (a gunicorn master and each of
    its workers apart); plus every ``postgres`` process, RabbitMQ (beam.smp) and this bench process (which runs
    the SMS provider, and the harness's TCP proxies where they are used)."""
    stats = _proc_stats()
    sample: dict[str, dict[int, int]] = {}
    for name, process in system.processes.items():
        pids = {process.pid: ""} | {pid: "worker" for pid, (_, ppid, _) in stats.items() if ppid == process.pid}
        for pid, kind in pids.items():
            if pid in stats:
                sample.setdefault(f"{name} {kind}".strip(), {})[pid] = stats[pid][2]
    for label, comm in (("postgres (all)", "postgres"), ("rabbitmq (beam.smp)", "beam.smp")):
        sample[label] = {pid: ticks for pid, (c, _, ticks) in stats.items() if c == comm}
    sample["bench + harness (SMS stand-in)"] = {os.getpid(): stats.get(os.getpid(), ("", 0, 0))[2]}
    return sample


def cpu_table(before: dict[str, dict[int, int]], after: dict[str, dict[int, int]], visits: int) -> dict[str, float]:
    """CPU milliseconds per visit, by process name, between two samples (a pid gone or new counts from zero)."""
    table = {}
    for name, pids in after.items():
        ticks = sum(t - before.get(name, {}).get(pid, 0) for pid, t in pids.items())
        table[name] = ticks * 1000 / CLOCK_TICKS / max(visits, 1)
    return table


def print_cpu_table(rate: float, table: dict[str, float], wall_s: float, visits: int) -> None:
    system_total = sum(ms for name, ms in table.items() if not name.startswith("bench"))
    cores = os.cpu_count() or 1
    print(
        f"  CPU per visit at {rate:.0f}/s ({visits} visits, {wall_s:.1f} s from the first POST until every due "
        f"delivery was sent; sustaining {rate:.0f}/s on {cores} cores allows {cores * 1000 / rate:.1f} ms/visit in all); "
        f"system total {system_total:.1f} ms/visit:"
    )
    for name, ms in sorted(table.items(), key=lambda kv: -kv[1]):
        print(f"    {ms:7.2f} ms/visit  {name}")


def wait_due_deliveries_sent(rec: Reconciliation, now, timeout: float = 30) -> None:
    """Until no delivery that is due by the system's clock ``now()`` is pending (a ladder's later steps,
    minutes away, are not waited for)."""
    deadline = time.monotonic() + timeout
    due = "SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= :now"
    while rec.scalar("notify", due, now=now()) and time.monotonic() < deadline:
        time.sleep(0.2)


def urgent_sms_latencies(rec: Reconciliation, since) -> list[float]:
    """Milliseconds from each message to its SMS handed to the provider, for the SMS sent at once (the urgent
    ladder's first step: an active hot spot's leaders, police and commune) of messages made since ``since``."""
    rows = rec.rows(
        "notify",
        "SELECT d.sent_at - m.created_at FROM deliveries d "
        "JOIN inbox_messages m ON m.id = d.message_id WHERE d.channel = 'sms' AND d.step = 0 "
        "AND d.status = 'sent' AND d.due_at <= m.created_at AND m.created_at >= :since",
        since=since,
    )
    return [delta.total_seconds() * 1000 for (delta,) in rows]


def close_all_cases(rec: Reconciliation) -> None:
    with rec.engines["escalation"].begin() as conn:
        conn.execute(
            rec.sa.text(
                "UPDATE cases SET status = 'closed', closed_at = now(), "
                "close_reason = 'benchmark round over' WHERE status <> 'closed'"
            )
        )


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="20,100")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    # Production-like process counts: two gunicorn workers for intake and the gateway.
    # Nothing is cut here: the processes reach the broker, the mail sink and the SMS provider directly.
    system = start_system(through_proxies=False, INTAKE_WORKERS="2", GATEWAY_WORKERS="2")
    results = {}
    try:
        token = client_token(system, "district-board")
        rec = Reconciliation(system)
        matters = list(itertools.product(UNITS, FIELDS))
        for rate in (float(r) for r in args.rates.split(",")):
            lat, posts, to_case = [], [], []
            cpu_before, wall_start = cpu_sample(system), time.monotonic()
            since = system_now(system)
            for number in range(1, args.rounds + 1):
                close_all_cases(rec)
                ids, ms = run_round(system, token, rate, matters)
                posts += ms
                inbox, case = latencies(rec, ids)
                lat += inbox
                to_case += case
                print(
                    f"  round {number}: visit → inbox p50 {percentile(inbox, 50):.0f} ms, "
                    f"p99 {percentile(inbox, 99):.0f} ms; visit → case p50 {percentile(case, 50):.0f} ms, "
                    f"p99 {percentile(case, 99):.0f} ms"
                )
            wait_due_deliveries_sent(
                rec, lambda: system_now(system)
            )  # so that the CPU below includes the email/SMS sending that was due
            cpu = cpu_table(cpu_before, cpu_sample(system), len(matters) * args.rounds)
            wall = time.monotonic() - wall_start
            results[rate] = {
                "n": len(lat),
                "p50_ms": percentile(lat, 50),
                "p99_ms": percentile(lat, 99),
                "cpu_ms_per_visit": {name: round(ms, 2) for name, ms in cpu.items()},
                "post_p50_ms": percentile(posts, 50),
                "post_p99_ms": percentile(posts, 99),
            }
            goal_ms = 300 if rate <= 20 else 1000
            print(
                f"{rate:.0f} visits/s: visit → inbox p50 {percentile(lat, 50):.0f} ms, p99 "
                f"{percentile(lat, 99):.0f} ms (goal p99 < {goal_ms} ms, n={len(lat)}); "
                f"baseline POST round trip p50 {percentile(posts, 50):.0f} ms, p99 {percentile(posts, 99):.0f} ms"
            )
            print(
                f"  of which visit → case opened (intake relay, escalation consumer): p50 "
                f"{percentile(to_case, 50):.0f} ms, p99 {percentile(to_case, 99):.0f} ms"
            )
            sms = urgent_sms_latencies(rec, since)
            if sms:  # notify-sender runs at a lower CPU priority: in a burst these wait for the inbox
                print(
                    f"  urgent SMS sent at once (active hot spots), message → provider: p50 "
                    f"{percentile(sms, 50):.0f} ms, p99 {percentile(sms, 99):.0f} ms (n={len(sms)})"
                )
            results[f"sms_{rate:.0f}"] = {"n": len(sms), "p50_ms": percentile(sms, 50), "p99_ms": percentile(sms, 99)}
            print_cpu_table(rate, cpu, wall, len(matters) * args.rounds)
            goal(
                f"mass visit accepted → on-duty officer's inbox at {rate:.0f} visits/s",
                f"p50 {percentile(lat, 50):.0f} ms, p99 {percentile(lat, 99):.0f} ms (n={len(lat)})",
                f"p99 < {goal_ms} ms",
                percentile(lat, 99) < goal_ms and len(lat) == len(matters) * args.rounds,
            )
        rec.close()
        memory = memory_table(system)
        results["memory_mib"] = memory
        print(
            "memory after the run (MiB, a gunicorn master with its workers summed): "
            + ", ".join(f"{name} {mib:.0f}" for name, mib in sorted(memory.items()))
        )
        goal(
            "memory per process (RSS; a gunicorn master with its workers)",
            f"{min(memory.values()):.0f} to {max(memory.values()):.0f} MiB",
            "reported",
            True,
        )
        return results
    finally:
        system.close()


if __name__ == "__main__":
    main()
