"""The long fault suite (`make test-long`): the real RabbitMQ and PostgreSQL restarted under load.

These restart servers every process on the machine shares, so they run only
when asked (TIEPDAN_LONG=1), never in parallel with another run.
"""

import os
import random
import subprocess
import time

import pytest
from harness import Reconciliation, System
from test_faults import post_visit, stream_visits

pytestmark = pytest.mark.skipif(not os.environ.get("TIEPDAN_LONG"), reason="long suite: make test-long")


def wait_port(port: int, timeout: float = 120) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"port {port} did not come back")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory, demo):
    system = System(tmp_path_factory.mktemp("faults-long"))
    try:
        system.prepare()
        system.start_all()
        tokens = {
            c["unit"]: system.token(c["client_id"], c["client_secret"])
            for c in demo["clients"]
            if c["kind"] == "commune"
        }
        yield system, tokens
    finally:
        system.close()


def test_rabbitmq_killed_and_restarted_repeatedly_while_visits_stream_in(faulty):
    system, tokens = faulty
    thread, visits = stream_visits(system, tokens, 150, seed=11, pause=0.05)
    for _ in range(2):
        time.sleep(2)
        subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=120)
        time.sleep(2)
        subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)
        wait_port(5672)
    thread.join(300)
    reconcile = Reconciliation(system)
    try:
        reconcile.check(visits, timeout=120)
    finally:
        reconcile.close()


def test_postgresql_restarted_under_load(faulty):
    """Visits with an Idempotency-Key (a transaction each) and without (intake's one autocommitted write)
    stream in while PostgreSQL restarts: every accepted one is stored and has its effects, once."""
    system, tokens = faulty
    thread, visits = stream_visits(system, tokens, 100, seed=12, pause=0.05)
    unkeyed_thread, unkeyed = stream_visits(system, tokens, 50, seed=14, pause=0.1, keyed=False)
    time.sleep(2)
    cluster = os.listdir("/etc/postgresql")[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    wait_port(5432)
    thread.join(300)
    unkeyed_thread.join(300)
    assert len(unkeyed) == 50
    rng = random.Random(13)
    visits += unkeyed + [post_visit(system, tokens, rng) for _ in range(5)]
    reconcile = Reconciliation(system)
    try:
        reconcile.check(visits, timeout=120)
    finally:
        reconcile.close()
