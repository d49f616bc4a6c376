"""The cluster fault suite (`make test-cluster`): a three-node RabbitMQ cluster and a PostgreSQL primary
with a synchronous standby, nodes stopped and the primary killed while visits stream in.

Every process is given every broker node (``AMQP_URL`` with commas) and both database servers (libpq's
multi-host URL with ``target_session_attrs=read-write``), and is never restarted. Each scenario ends with
the reconciliation of the single-node fault suite and prints what it measured.
"""

from __future__ import annotations

import os
import random
import threading
import time

import cluster
import pytest
from harness import Reconciliation, System
from test_faults import post_visit

why_not = cluster.available()
pytestmark = [
    pytest.mark.skipif(not os.environ.get("TIEPDAN_CLUSTER"), reason="cluster suite: make test-cluster"),
    pytest.mark.skipif(why_not is not None, reason=f"cluster suite: {why_not}"),
]


@pytest.fixture(scope="module")
def clustered(tmp_path_factory, demo):
    rabbit, pair = cluster.RabbitCluster(), cluster.PostgresPair()
    saved = os.environ.get("TEST_POSTGRES_URL")
    system = None
    try:
        rabbit.start()
        pair.start()
        hosts = "&".join(f"host=127.0.0.1:{p}" for p in pair.ports.values())
        # Every database this run creates is named on both servers: the URL survives the failover.
        os.environ["TEST_POSTGRES_URL"] = (
            f"postgresql+psycopg://postgres@/postgres?{hosts}&target_session_attrs=read-write"
        )
        system = System(tmp_path_factory.mktemp("cluster"))
        system.through_proxies = False
        system.extra_env["AMQP_URL"] = rabbit.url()
        system.prepare()
        system.start_all()
        tokens = {
            c["unit"]: system.token(c["client_id"], c["client_secret"])
            for c in demo["clients"]
            if c["kind"] == "commune"
        }
        yield system, tokens, rabbit, pair
    except BaseException:
        if system is not None:
            print(system.logs(60))
        raise
    finally:
        if system is not None:
            system.stop_all()
            try:
                system.close()
            except Exception as exc:  # the databases go with their clusters below
                print(f"cluster suite: cleanup after the failover: {exc}")
        if saved is None:
            os.environ.pop("TEST_POSTGRES_URL", None)
        else:
            os.environ["TEST_POSTGRES_URL"] = saved
        pair.close()
        rabbit.close()


class Stream:
    """Visits posted at a steady pace in a thread, each timed from its first try to its acceptance."""

    def __init__(self, system, tokens, count: int, seed: int, pause: float = 0.05) -> None:
        self.visits: list[dict] = []
        self.waits: list[float] = []
        rng = random.Random(seed)

        def run():
            for _ in range(count):
                started = time.monotonic()
                self.visits.append(post_visit(system, tokens, rng, attempts=200))
                self.waits.append(time.monotonic() - started)
                time.sleep(pause)

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def join(self) -> None:
        self.thread.join(600)
        assert not self.thread.is_alive(), "the stream of visits never finished"


def reconcile(system, rabbit, visits, started: float, label: str) -> None:
    check = Reconciliation(system)
    check.rabbitmqctl = rabbit.ctl()
    try:
        found = check.check(visits, timeout=180)
    finally:
        check.close()
    print(
        f"\n{label}: {found['visits']} visits ({found['mass']} mass, {found['cases']} cases) reconciled; "
        f"lost 0; recovered {time.monotonic() - started:.1f} s after the fault began"
    )


def test_queues_are_quorum_queues_on_every_node(clustered):
    system, _tokens, rabbit, _pair = clustered
    queue = f"{system.names['queue_prefix']}.escalation.intake-events"
    assert sorted(rabbit.members(queue)) == sorted(rabbit.nodes)


def test_the_node_leading_the_queues_stops_then_another_then_both_return(clustered):
    system, tokens, rabbit, _pair = clustered
    stream = Stream(system, tokens, 120, seed=21)
    time.sleep(2)
    leaders = rabbit.leaders(system.names["queue_prefix"])
    first = max(leaders, key=leaders.get) if leaders else rabbit.nodes[0]
    started = time.monotonic()
    rabbit.stop_node(first)
    time.sleep(4)
    second = next(n for n in rabbit.nodes if n != first)
    rabbit.stop_node(second)  # a minority left: the queues wait, the outboxes hold every event
    time.sleep(4)
    rabbit.restart_node(first)
    rabbit.restart_node(second)
    stream.join()
    print(f"\nlongest wait of a visit for its acceptance: {max(stream.waits) * 1000:.0f} ms")
    reconcile(system, rabbit, stream.visits, started, "RabbitMQ nodes stopped and back")


def test_the_postgresql_primary_dies_and_the_standby_takes_over(clustered):
    system, tokens, rabbit, pair = clustered
    stream = Stream(system, tokens, 120, seed=22)
    time.sleep(2)
    started = time.monotonic()
    pair.kill_primary()
    time.sleep(1)
    pair.promote_standby()
    stream.join()
    rng = random.Random(23)
    visits = stream.visits + [post_visit(system, tokens, rng, attempts=200) for _ in range(5)]
    print(f"\nlongest wait of a visit for its acceptance: {max(stream.waits) * 1000:.0f} ms")
    reconcile(system, rabbit, visits, started, "PostgreSQL primary killed, standby promoted")
