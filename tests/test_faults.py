"""Nothing lost under fire: broker cuts, killed workers, replicas, a service down, the mail server and the
SMS provider unreachable — then reconcile.

These run against their own isolated system (they break things on purpose), while
mass and small visits stream in through the gateway as commune apps send them:

- the broker cut three times (the TCP proxy in front of RabbitMQ drops every connection);
- workers killed with SIGKILL in the middle of their work, and restarted;
- two replicas of every worker;
- roster's API down behind the gateway (503 at once; the fallback audience is told);
- the SMTP server and the SMS provider unreachable for a few seconds (their proxies refuse
  connections, in overlapping windows), then back: every email and SMS is retried with backoff
  and arrives exactly once.

Each ends with a reconciliation (harness.Reconciliation): every accepted visit is in
intake, each mass visit is linked to exactly one case, each case told its audience once
per person, nothing left unpublished, nothing in a dead-letter queue; after the mail and
SMS outage also: every email at the mail sink and every SMS at the provider exactly once
per delivery, an attempt log of failures then one success, no dead delivery.

The long versions (real RabbitMQ and PostgreSQL restarts, more visits) are in
test_faults_long.py, run by `make test-long`.
"""

import datetime as dt
import itertools
import random
import signal
import threading
import time
import uuid

import pytest
import requests
from harness import Reconciliation, System

# The communes in force today (the others were merged into these on 1 July 2025).
COMMUNES = ["31684", "31708", "31717", "31720", "31723"]
FIELDS = ["land", "compensation", "social_policy", "construction", "environment"]
# Matters no other scenario of the module touches: each of its mass visits opens a case of its own or joins one
# opened by the same stream (a matter is its unit and field, and the module's scenarios share the system).
OTHER_FIELDS = ["labour", "finance", "ethnic_affairs", "officials_conduct", "administration"]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory, demo):
    system = System(tmp_path_factory.mktemp("faults"))
    try:
        system.prepare()
        system.start_all()
        tokens = {
            c["unit"]: system.token(c["client_id"], c["client_secret"])
            for c in demo["clients"]
            if c["kind"] == "commune"
        }
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


def post_visit(system, tokens, rng, *, attempts=20, keyed=True, fields=FIELDS):
    """Post one visit as a commune app would: retried with the same Idempotency-Key until accepted.
    ``keyed=False``: as a client without a key, whose create commits on its own (intake's autocommit
    write); a retry is then a new request, and a visit whose answer was lost may be stored unreported."""
    unit = rng.choice(COMMUNES)
    size = rng.choice([1, 2, 3, 5, 8, 12, 30])
    body = {
        "category": "complaint",
        "field": rng.choice(fields),
        "group_size": size,
        "content": f"Khiếu nại về đất đai số {rng.randint(1, 10**6)}",
        "citizens": [
            {
                "full_name": "Công dân đại diện",
                "is_representative": size >= 5,
                "id_number": str(rng.randint(10**11, 10**12 - 1)),
            }
        ],
        "outcome": {"type": "documents_taken"},
    }
    key = str(uuid.uuid4())
    for _ in range(attempts):
        try:
            resp = system.call(
                "POST",
                "/api/v1/intake/visits",
                tokens[unit],
                json=body,
                headers={"Idempotency-Key": key} if keyed else {},
            )
            if resp.status_code == 201:
                return resp.json()
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError("a visit was never accepted")


def stream_visits(system, tokens, count, seed, pause=0.05, keyed=True, fields=FIELDS):
    rng = random.Random(seed)
    visits = []

    def run():
        for _ in range(count):
            visits.append(post_visit(system, tokens, rng, keyed=keyed, fields=fields))
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
    killed = ["escalation-worker", "notify-worker", "intake-worker", "notify-sender"]
    for name in itertools.islice(itertools.cycle(killed), 2 * len(killed)):
        time.sleep(0.5)
        system.kill(name, signal.SIGKILL)
        time.sleep(0.3)
        system.start(name)
    thread.join(120)
    reconcile.check(visits)


def test_two_replicas_of_every_worker_do_everything_once(faulty, reconcile):
    system, tokens = faulty
    replicas = []
    for name in ("intake-worker", "escalation-worker", "notify-worker", "roster-worker", "notify-sender"):
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


IMMEDIATELY = [{"after_seconds": 0, "channels": ["inbox", "sms", "email"]}]


def wait_for_failed_attempts(reconcile, since, channels, *, at_least: float, at_most: float) -> None:
    """Keep an outage going ``at_least`` seconds and until each channel has a failed attempt logged."""
    started = time.monotonic()
    while True:
        failed = {
            row[0]
            for row in reconcile.rows(
                "notify",
                "SELECT DISTINCT d.channel FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
                "WHERE NOT a.ok AND a.started_at >= :since",
                since=since,
            )
        }
        elapsed = time.monotonic() - started
        if elapsed >= at_least and set(channels) <= failed:
            return
        assert elapsed < at_most, f"no failed {set(channels) - failed} attempt in {at_most} s of outage"
        time.sleep(0.2)


def test_smtp_server_and_sms_provider_unreachable_while_visits_stream_in(faulty, reconcile, demo):
    system, tokens = faulty
    admin = next(c for c in demo["clients"] if c["client_id"] == "admin")
    admin_token = system.token(admin["client_id"], admin["client_secret"])
    board = next(c for c in demo["clients"] if c["client_id"] == "district-board")
    board_token = system.token(board["client_id"], board["client_secret"])
    ladders = system.call("GET", "/api/v1/notify/ladders/*", admin_token)
    assert ladders.status_code == 200, ladders.text
    try:
        # Everyone's ladders, urgent and normal: inbox, SMS and email at once (the seeded ones wait minutes).
        for urgency in ("urgent", "normal"):
            resp = system.call("PUT", f"/api/v1/notify/ladders/*/{urgency}", admin_token, json={"steps": IMMEDIATELY})
            assert resp.status_code == 200, resp.text
        since = dt.datetime.now(dt.UTC)
        earlier_cases = {str(r[0]) for r in reconcile.rows("escalation", "SELECT id FROM cases")}
        thread, visits = stream_visits(system, tokens, 60, seed=5, pause=0.1, fields=OTHER_FIELDS)
        time.sleep(1.5)  # mail and SMS flow normally first
        system.smtp_proxy.refuse()
        outage = dt.datetime.now(dt.UTC)
        time.sleep(0.5)
        system.sms_proxy.refuse()
        wait_for_failed_attempts(reconcile, outage, ["email", "sms"], at_least=4.0, at_most=30.0)
        system.smtp_proxy.start()  # the mail server is back first, the SMS provider a second later
        time.sleep(1.0)
        system.sms_proxy.start()
        thread.join(120)
        assert not thread.is_alive(), "the visits were still streaming after two minutes"

        report = reconcile.check(visits)
        assert report["mass"] > 0
        deliveries = reconcile.check_deliveries(since)
        # Every person told of a case these visits opened (others joined earlier cases) got its email and
        # its SMS, each exactly once.
        cases = {
            str(r[0])
            for r in reconcile.rows(
                "escalation",
                "SELECT DISTINCT case_id FROM case_sources WHERE source_type = 'visit' AND source_id = ANY(:ids)",
                ids=[v["id"] for v in visits],
            )
        } - earlier_cases
        told = reconcile.rows(
            "notify",
            "SELECT id, recipient, case_id FROM inbox_messages "
            "WHERE event_type = 'escalation.case.opened' AND case_id = ANY(:cases)",
            cases=list(cases),
        )
        assert cases and {case for _, _, case in told} == cases, "a case these visits opened told nobody"
        wrong = [
            (who, deliveries["per_message"].get(m))
            for m, who, _ in told
            if deliveries["per_message"].get(m) != {"sms": 1, "email": 1}
        ]
        assert not wrong, f"not told exactly once by SMS and once by email: {wrong}"
        # The outage is in the delivery log: failed attempts, then the one that went through.
        assert deliveries["retried"].get("email", 0) > 0 and deliveries["retried"].get("sms", 0) > 0, deliveries
        assert set(deliveries["errors"]) <= {"SMTP failed", "SMS provider unreachable"}, deliveries["errors"]
        retried = reconcile.scalar(
            "notify",
            "SELECT d.id FROM deliveries d JOIN inbox_messages m ON m.id = d.message_id "
            "WHERE d.channel = 'sms' AND d.attempts > 1 AND m.created_at >= :since LIMIT 1",
            since=since,
        )
        detail = system.call("GET", f"/api/v1/notify/deliveries/{retried}", board_token)
        assert detail.status_code == 200, detail.text
        log = detail.json()["attempt_log"]
        assert [a["ok"] for a in log] == [False] * (len(log) - 1) + [True]
        assert log[0]["error"].startswith("SMS provider unreachable")
        assert log[-1]["provider_answer"].startswith("200 ")
        assert system.call("GET", "/api/v1/notify/deliveries?status=dead", board_token).json() == []
    finally:
        system.smtp_proxy.start()
        system.sms_proxy.start()
        for ladder in ladders.json():
            system.call(
                "PUT", f"/api/v1/notify/ladders/*/{ladder['urgency']}", admin_token, json={"steps": ladder["steps"]}
            )
