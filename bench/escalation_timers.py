"""How late escalation steps fire under load, beside a bare claim loop measured in the same run.

    .venv/bin/python bench/escalation_timers.py [--escalations 1500] [--window 15] [--workers 2]
                                                [--interval 0.25] [--load-rate 20]

Against a throwaway PostgreSQL database (TEST_POSTGRES_URL or the local server):

1. baseline: ``--escalations`` escalations due at known times spread over ``--window``
   seconds; ``--workers`` processes run a bare loop that claims due rows with the same
   ``SELECT ... FOR UPDATE SKIP LOCKED`` every ``--interval`` seconds and only marks them
   claimed (no step, no event, no timeline);
2. timers: the same number of new escalations due over the same window, fired by
   ``--workers`` processes each running the real ``EscalationTimer`` (the step's
   ``escalation.case.escalated`` in the outbox, the step row, the timeline entry).

In both phases another process opens ``--load-rate`` cases a second through the opening flow
(the bench policy comes first, so each starts an escalation due at once, which the loops also handle). Lateness is
the time a step's event was written (timers) or its row claimed (baseline) minus the
time it was due.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import statistics
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from escalation import models  # noqa: F401  (every table mapped)
from escalation.case.flows import opening as cases
from escalation.case.models import Case
from escalation.database import OutboxEvent
from escalation.policy import domain
from escalation.policy.jobs import EscalationTimer
from escalation.policy.models import Escalation, EscalationPolicy
from escalation.seed import seed_defaults
from tiepdan_common import migrations
from tiepdan_common.db import Database
from tiepdan_common.models import utcnow
from tiepdan_common.testing import postgres_database

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "services" / "escalation" / "escalation" / "migrations"
BENCH_POLICY = "bench-two-steps"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def describe(values: list[float]) -> str:
    return (
        f"n={len(values):5d}  p50={percentile(values, 50):7.1f} ms  p99={percentile(values, 99):7.1f} ms  "
        f"max={max(values):7.1f} ms  mean={statistics.fmean(values):7.1f} ms"
    )


def schedule(db: Database, *, count: int, start: dt.datetime, window: float, policy_id: str, tag: str) -> None:
    """``count`` open cases whose escalations are due at evenly spread times from ``start``."""
    with db.session() as session:
        for n in range(count):
            case_id = str(uuid.uuid4())
            session.add(
                Case(
                    id=case_id,
                    number=f"BENCH-{tag}-{n:05d}",
                    title=f"Vụ việc thử {n}",
                    unit="31690",
                    field_code="land",
                    matter_key=f"bench:{tag}:{n}",
                    severity="medium",
                    level="district",
                    status="opened",
                    opened_at=start,
                    participants=[],
                )
            )
            session.add(
                Escalation(
                    case_id=case_id,
                    policy_id=policy_id,
                    status="active",
                    cycle=0,
                    step_index=0,
                    repeat=0,
                    updated_at=start,
                    next_step_at=start + dt.timedelta(seconds=window * n / count),
                )
            )


def bare_loop(url: str, interval: float, until: float) -> None:
    """The baseline: claim due rows exactly as the timer does, and only mark them claimed."""
    db = Database(url)
    while time.time() < until:
        with db.sessionmaker() as session:
            rows = session.scalars(
                sa.select(Escalation)
                .where(Escalation.status.in_(domain.LIVE_STATUSES), Escalation.next_step_at <= utcnow())
                .order_by(Escalation.next_step_at, Escalation.id)
                .limit(100)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.status, row.next_step_at, row.updated_at = "stopped", None, utcnow()
            session.commit()
        if len(rows) < 100:
            time.sleep(interval)
    db.dispose()


def timer_loop(url: str, interval: float, until: float) -> None:
    """The real timer, as the worker runs it."""
    db = Database(url)
    timer = EscalationTimer(db, interval=interval)
    while time.time() < until:
        timer.tick()
        time.sleep(interval)
    db.dispose()


def load_loop(url: str, rate: float, until: float) -> None:
    """Cases opened through the opening flow, each starting an escalation due at once."""
    db = Database(url)
    n = 0
    while time.time() < until:
        with db.session() as session:
            cases.open_case(
                db_session=session,
                title=f"Đoàn đông người thử tải {n}",
                unit="31693",
                field_code="labour",
                category="complaint",
                matter_key=f"load:{uuid.uuid4()}",
                severity="medium",
                level="district",
                owner_agency="LDTBXH",
                group_size=8,
                source_type="manual",
                source_id=str(uuid.uuid4()),
                actor="bench",
            )
        n += 1
        time.sleep(1 / rate)
    db.dispose()


def run_phase(url: str, target, *, workers: int, interval: float, load_rate: float, seconds: float) -> None:
    until = time.time() + seconds
    procs = [mp.Process(target=target, args=(url, interval, until)) for _ in range(workers)]
    if load_rate > 0:
        procs.append(mp.Process(target=load_loop, args=(url, load_rate, until)))
    for p in procs:
        p.start()
    for p in procs:
        p.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=int, default=1500)
    parser.add_argument("--window", type=float, default=15.0, help="seconds over which the steps fall due")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between polls of each loop")
    parser.add_argument("--load-rate", type=float, default=20.0, help="cases opened per second meanwhile")
    args = parser.parse_args()
    mp.set_start_method("fork")
    with postgres_database("bench_escalation") as url:
        migrations.upgrade(MIGRATIONS, url)
        db = Database(url)
        with db.session() as session:
            seed_defaults(session)
            steps = [
                {"target": {"type": "on_duty_role", "value": "lead"}, "wait_minutes": 60},
                {"target": {"type": "leader_on_call", "value": None}, "wait_minutes": 60},
            ]
            session.add(
                EscalationPolicy(name=BENCH_POLICY, priority=0, severities=[], first_wait_minutes=0, steps=steps)
            )
        with db.session() as session:
            policy_id = session.scalar(sa.select(EscalationPolicy.id).where(EscalationPolicy.name == BENCH_POLICY))
        results = {}
        for phase, target in (("baseline", bare_loop), ("timers", timer_loop)):
            start = utcnow() + dt.timedelta(seconds=2)
            schedule(db, count=args.escalations, start=start, window=args.window, policy_id=policy_id, tag=phase)
            run_phase(
                url,
                target,
                workers=args.workers,
                interval=args.interval,
                load_rate=args.load_rate,
                seconds=(start - utcnow()).total_seconds() + args.window + 3,
            )
            with db.session() as session:
                prefix = f"BENCH-{phase}-%"
                if phase == "baseline":
                    rows = session.execute(
                        sa.select(Escalation.updated_at, Case.opened_at, Case.number)
                        .join(Case, Case.id == Escalation.case_id)
                        .where(Case.number.like(prefix), Escalation.status == "stopped")
                    ).all()
                    fired = {number: at for at, _, number in rows}
                else:
                    events = session.execute(
                        sa.select(OutboxEvent.payload, OutboxEvent.created_at).where(
                            OutboxEvent.event_type == "escalation.case.escalated"
                        )
                    ).all()
                    fired = {}
                    for payload, created in events:
                        number = json.loads(payload)["data"]["number"]
                        if number.startswith(f"BENCH-{phase}-") and number not in fired:
                            fired[number] = created
                late = []
                for n in range(args.escalations):
                    number = f"BENCH-{phase}-{n:05d}"
                    due = start + dt.timedelta(seconds=args.window * n / args.escalations)
                    if number in fired:
                        late.append((fired[number] - due).total_seconds() * 1000)
                missing = args.escalations - len(late)
                load_cases = session.scalar(
                    sa.select(sa.func.count()).select_from(Case).where(Case.number.like("VV-%"))
                )
            results[phase] = (late, missing)
            print(f"{phase:8s}: {describe(late)}  not fired: {missing}", flush=True)
        db.dispose()
    print(
        f"\n{args.escalations} escalations due over {args.window:.0f} s per phase, {args.workers} worker processes, "
        f"poll every {args.interval} s, {args.load_rate:.0f} cases/s opened meanwhile ({load_cases} in all)"
    )
    base, real = results["baseline"][0], results["timers"][0]
    print(
        f"timers minus baseline: p50 {percentile(real, 50) - percentile(base, 50):+.1f} ms, "
        f"p99 {percentile(real, 99) - percentile(base, 99):+.1f} ms"
    )
    return 0 if not results["timers"][1] else 1


if __name__ == "__main__":
    sys.exit(main())
