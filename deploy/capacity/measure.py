"""CPU per ordinary visit and per petition, for docs/capacity.md.

Starts the whole system as the benchmarks do (bench/_system.py: every API, worker and the gateway as real
processes on 127.0.0.1, PostgreSQL and RabbitMQ of this machine, the 2024 plan's demo and clock), then:

1. idle: samples every process's CPU over a quiet window (relays, timers and polls cost CPU with no traffic);
   PostgreSQL is counted by this run's own backends, RabbitMQ by the machine's node (shared with whatever
   else runs here: read its figure as an upper bound);
2. visits: N one-citizen visits (no case opens) through the gateway at RATE/s;
3. petitions: N petitions by post, one sender each, at RATE/s;
4. mass visits as bench/e2e_latency.py sends them (each opens a case; notify tells the officers on duty),
   with notify's CPU per inbox message and per SMS or email sent.

After each phase it waits until every event is published and every queue of the run is empty, and every
due delivery is sent, then prints CPU milliseconds per item for each process, gross and minus the idle
rate over the same wall time. Bounded: a few hundred requests. Usage (from the repository root):

    .venv/bin/python deploy/capacity/measure.py [--items 200] [--rate 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import requests
from _system import Reconciliation, client_token, start_system
from e2e_latency import (
    FIELDS,
    UNITS,
    close_all_cases,
    cpu_sample,
    cpu_table,
    visit,
    wait_due_deliveries_sent,
)


def visit_body(i: int) -> dict:
    return {
        "category": "recommendation",
        "field": FIELDS[i % len(FIELDS)],
        "origin_unit": UNITS[i % len(UNITS)],
        "group_size": 1,
        "content": f"Kiến nghị số {i} về đường giao thông nông thôn",
        "citizens": [{"full_name": f"Nguyễn Văn {i}", "is_representative": True}],
        "outcome": {"type": "documents_taken"},
    }


def petition_body(i: int) -> dict:
    return {
        "channel": "post",
        "category": "complaint",
        "field": FIELDS[i % len(FIELDS)],
        "origin_unit": UNITS[i % len(UNITS)],
        "content": f"Khiếu nại số {i} về quyết định thu hồi đất",
        "senders": [{"full_name": f"Lê Văn {i}", "address": "Ấp Phước Hòa", "is_representative": True}],
    }


def run_cpu_sample(system) -> dict[str, dict[int, int]]:
    """``cpu_sample`` with PostgreSQL narrowed to this run's own backends, by database (the run's databases
    are its own): the machine's other PostgreSQL work is left out. RabbitMQ's node is shared."""
    sample = cpu_sample(system)
    names = {url.rsplit("/", 1)[-1].split("?")[0]: service for service, url in system.db_urls.items()}
    for service in system.db_urls:
        sample[f"postgres: {service}"] = {}
    for pid, ticks in sample.pop("postgres (all)").items():
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().split()
        except OSError:
            continue
        if len(words) > 3 and words[0] == "postgres:" and words[3] in names:  # postgres: 15/main: user db ...
            sample[f"postgres: {names[words[3]]}"][pid] = ticks
    return sample


def post_all(system, token: str, path: str, bodies: list[dict], rate: float) -> None:
    session = requests.Session()

    def post(body):
        resp = session.post(
            f"{system.gateway}/api/v1/intake/{path}",
            json=body,
            timeout=30,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        if resp.status_code >= 300:
            raise SystemExit(f"POST {path}: {resp.status_code} {resp.text[:300]}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        start, futures = time.perf_counter(), []
        for i, body in enumerate(bodies):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(post, body))
        for f in futures:
            f.result()


def queued(system) -> int:
    out = subprocess.run(
        ["rabbitmqctl", "list_queues", "-q", "--no-table-headers", "name", "messages"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    prefix = system.names["queue_prefix"]
    return sum(
        int(p[1])
        for p in (line.split() for line in out.splitlines())
        if len(p) == 2 and p[0].startswith(prefix) and not p[0].endswith((".dlq", ".unrouted"))
    )


def settle(system, rec: Reconciliation, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(rec.pending_outbox().values()) and queued(system) == 0:
            break
        time.sleep(0.5)
    wait_due_deliveries_sent(rec)


def notify_counts(rec: Reconciliation) -> tuple[int, dict[str, int]]:
    """Inbox messages so far, and deliveries sent so far by channel."""
    messages = rec.scalar("notify", "SELECT count(*) FROM inbox_messages")
    sent = dict(rec.rows("notify", "SELECT channel, count(*) FROM deliveries WHERE status = 'sent' GROUP BY channel"))
    return messages, sent


def phase(system, rec, name: str, items: int, action, idle_per_s: dict[str, float]) -> dict:
    before, started = run_cpu_sample(system), time.monotonic()
    # Counted before and after (the system's clock is moved into the 2024 plan's period: no now() here).
    told_before, sent_before = notify_counts(rec)
    action()
    settle(system, rec)
    told_after, sent_after = notify_counts(rec)
    told = told_after - told_before
    sent = {ch: n - sent_before.get(ch, 0) for ch, n in sent_after.items() if n > sent_before.get(ch, 0)}
    wall = time.monotonic() - started
    gross = cpu_table(before, run_cpu_sample(system), items)
    net = {k: max(v - idle_per_s.get(k, 0.0) * wall / items, 0.0) for k, v in gross.items()}
    total_gross = sum(v for k, v in gross.items() if not k.startswith("bench"))
    total_net = sum(v for k, v in net.items() if not k.startswith("bench"))
    print(
        f"{name}: {items} in {wall:.1f} s (until published, consumed and sent); {told} inbox messages, "
        f"deliveries sent {sent}; CPU per item, system total {total_gross:.1f} ms gross, {total_net:.1f} ms "
        f"minus idle:"
    )
    for k, v in sorted(net.items(), key=lambda kv: -kv[1]):
        if gross[k] >= 0.05:
            print(f"    {v:7.2f} ms  ({gross[k]:6.2f} gross)  {k}")
    notify = sum(v for k, v in net.items() if "notify" in k) * items
    if told:
        print(
            f"    notify's processes and database, per inbox message (with its SMS and email): "
            f"{notify / told:.2f} ms minus idle; per delivery sent {notify / max(sum(sent.values()), 1):.2f} ms"
        )
    return {
        "wall_s": round(wall, 1),
        "messages": told,
        "deliveries": sent,
        "total_gross_ms": round(total_gross, 2),
        "total_net_ms": round(total_net, 2),
        "net_ms": {k: round(v, 2) for k, v in net.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of the idle window")
    args = parser.parse_args()
    system = start_system(through_proxies=False, INTAKE_WORKERS="2", GATEWAY_WORKERS="2")
    try:
        token = client_token(system, "district-board")
        rec = Reconciliation(system)
        settle(system, rec)
        before = run_cpu_sample(system)
        time.sleep(args.idle)
        idle_ms = cpu_table(before, run_cpu_sample(system), 1)
        idle_per_s = {k: v / args.idle for k, v in idle_ms.items()}
        print(
            f"idle: {sum(v for k, v in idle_per_s.items() if not k.startswith('bench')):.1f} ms CPU per second "
            f"over {args.idle:.0f} s (relays, timers, polls)"
        )
        results = {"idle_ms_per_s": {k: round(v, 2) for k, v in idle_per_s.items()}}
        n, rate = args.items, args.rate
        results["visit"] = phase(
            system,
            rec,
            "one-citizen visits",
            n,
            lambda: post_all(system, token, "visits", [visit_body(i) for i in range(n)], rate),
            idle_per_s,
        )
        results["petition"] = phase(
            system,
            rec,
            "petitions by post",
            n,
            lambda: post_all(system, token, "petitions", [petition_body(i) for i in range(n)], rate),
            idle_per_s,
        )
        # Mass visits as in bench/e2e_latency.py: each about a matter with no open case, so each opens a case
        # and notify tells the officers on duty (inbox, then SMS and email on their ladders).
        close_all_cases(rec)
        matters = [(u, f) for u in UNITS for f in FIELDS]
        results["mass_visit"] = phase(
            system,
            rec,
            "mass visits (each opens a case)",
            len(matters),
            lambda: post_all(system, token, "visits", [visit(*m) for m in matters], rate),
            idle_per_s,
        )
        print(json.dumps(results))
    finally:
        system.close()


if __name__ == "__main__":
    main()
