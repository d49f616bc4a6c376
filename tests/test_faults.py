"""Nothing lost under fire: broker cuts, killed workers, replicas, a service down — then reconcile.

These run against their own isolated system (they break things on purpose). The
long versions (real RabbitMQ and PostgreSQL restarts, more visits) are in
test_faults_long.py, run by `make test-long`.
"""

import itertools
import random
import signal
import threading
import time
import uuid

import pytest
import requests

from harness import Reconciliation, System

COMMUNES = ["31684", "31690", "31693", "31708", "31711", "31714", "31717", "31720", "31723", "31726", "31729"]
FIELDS = ["land", "compensation", "social_policy", "construction", "environment"]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory, demo):
    system = System(tmp_path_factory.mktemp("faults"))
    try:
        system.prepare()
        system.start_all()
        tokens = {c["unit"]: system.token(c["client_id"], c["client_secret"])
                  for c in demo["clients"] if c["kind"] == "commune"}
        yield system, tokens
    except BaseException:
        print(system.logs(60))
        raise
    finally:
        system.close()


@pytest.fixture
def reconcile(faulty):
    r = Reconciliation(faulty[0])
    yield r
    r.close()


def post_visit(system, tokens, rng, *, attempts=20):
    """Post one visit as a commune app would: retried with the same Idempotency-Key until accepted."""
    unit = rng.choice(COMMUNES)
    size = rng.choice([1, 2, 3, 5, 8, 12, 30])
    body = {"category": "complaint", "field": rng.choice(FIELDS), "group_size": size,
            "content": f"Khiếu nại về đất đai số {rng.randint(1, 10**6)}",
            "citizens": [{"full_name": "Công dân đại diện", "is_representative": size >= 5}],
            "outcome": {"type": "documents_taken"}}
    key = str(uuid.uuid4())
    for _ in range(attempts):
        try:
            resp = system.call("POST", "/api/v1/intake/visits", tokens[unit], json=body,
                               headers={"Idempotency-Key": key})
            if resp.status_code == 201:
                return resp.json()
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError("a visit was never accepted")


def stream_visits(system, tokens, count, seed, pause=0.05):
    rng = random.Random(seed)
    visits = []

    def run():
        for _ in range(count):
            visits.append(post_visit(system, tokens, rng))
            time.sleep(pause)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, visits


def test_broker_cut_repeatedly_while_visits_stream_in(faulty, reconcile):
    system, tokens = faulty
    thread, visits = stream_visits(system, tokens, 40, seed=1)
    for _ in range(3):
        time.sleep(0.6)
        system.proxy.cut()
        time.sleep(1.0)
        system.proxy.start()
    thread.join(120)
    report = reconcile.check(visits)
    assert report["mass"] > 0


def test_workers_killed_with_sigkill_in_the_middle_of_their_work(faulty, reconcile):
    system, tokens = faulty
    thread, visits = stream_visits(system, tokens, 40, seed=2)
    for name in itertools.islice(itertools.cycle(["escalation-worker", "notify-worker", "intake-worker"]), 6):
        time.sleep(0.5)
        system.kill(name, signal.SIGKILL)
        time.sleep(0.3)
        system.start(name)
    thread.join(120)
    reconcile.check(visits)


def test_two_replicas_of_every_worker_do_everything_once(faulty, reconcile):
    system, tokens = faulty
    replicas = []
    for service in ("intake", "escalation", "notify", "roster"):
        name = f"{service}-worker"
        replica = f"{name}-2"
        system.start(name, as_name=replica)
        replicas.append(replica)
    try:
        thread, visits = stream_visits(system, tokens, 40, seed=3, pause=0.02)
        thread.join(120)
        reconcile.check(visits)
    finally:
        for replica in replicas:
            system.kill(replica, signal.SIGTERM)


def test_a_service_down_behind_the_gateway(faulty, reconcile, demo):
    system, tokens = faulty
    board = next(c for c in demo["clients"] if c["client_id"] == "district-board")
    token = system.token(board["client_id"], board["client_secret"])
    system.kill("roster-api", signal.SIGKILL)
    try:
        started = time.monotonic()
        resp = system.call("GET", "/api/v1/roster/on-duty", token)
        assert resp.status_code == 503
        assert resp.headers["Content-Type"].startswith("application/problem+json")
        assert time.monotonic() - started < 3
        # The rest keeps working: a visit is recorded, its case opened, the fallback audience told.
        rng = random.Random(4)
        visits = [post_visit(system, tokens, rng) for _ in range(6)]
        reconcile.check(visits)
    finally:
        system.start("roster-api")
        system.wait_healthy()
