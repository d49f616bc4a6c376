"""Intake's create and list throughput, and the list query's p50/p99 over a large register.

Everything runs in this process against a throwaway PostgreSQL database
(dropped at the end): the intake app is driven through Flask's in-process WSGI
test client with a gateway-signed identity, so the figures include identity
checks, marshmallow, the rules, encryption, the outbox and problem handling,
but no HTTP server or network.

1. create: POST /visits against baselines of plain inserts of the same rows
   (the visit, its citizen with the same encrypted fields and blind indexes,
   the outbox event; one transaction each, no rules) made with ORM objects and
   with Core, calls interleaved for ``--seconds`` each, and the ratios; then repeat visits (the same
   citizens and matter again) against the same rows plus the first visit's count, with the ORM; and
   a create with an Idempotency-Key against the same without;
2. fill: ``--visits`` visits (default 1,000,000) with INSERT ... SELECT
   generate_series, one encrypted citizen each, then VACUUM ANALYZE;
3. list: GET /visits pages (first page, keyset pages deep into the register,
   a commune's register, filters, a diacritics-free search) for ``--seconds``
   each, with p50/p99, against a baseline of the same first-page SELECT run with
   plain SQLAlchemy Core.

    .venv/bin/python bench/intake_bench.py                 # 1,000,000 visits
    .venv/bin/python bench/intake_bench.py --visits 100000 # smaller, on a busy machine
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import logging
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "intake"))

from _report import goal

from intake import create_app
from intake.confidential.crypto import IdentityCipher, generate_key
from intake.database import OutboxEvent
from intake.text import fold
from intake.visit.models import Visit, VisitCitizen
from tiepdan_common.messaging.envelope import Envelope
from tiepdan_common.models import utcnow
from tiepdan_common.testing import (
    TEST_IDENTITY_KEY,
    identity_headers,
    postgres_database,
)

# The desk and communes in force today (units-can-tho-2025.json): Mỹ Xuyên district (947) and its 2024
# communes are refused for a visit after 30 June 2025.
COMMUNES = ["31684", "31708", "31717", "31720", "31723"]
# The list phase's register, filled in SQL, holds the 2024 district's records (11 communes: ``i % 11``).
REGISTER_COMMUNES = ["31684", "31690", "31693", "31708", "31711", "31714", "31717", "31720", "31723", "31726", "31729"]
FIELDS = ["land", "environment", "compensation", "social_policy", "labour", "finance", "construction"]
CATEGORIES = ["complaint", "denunciation", "recommendation", "feedback"]
BOARD = identity_headers(
    subject="bench-board",
    kind="province",
    unit="92",
    officer="btcd-01",
    permissions=("visits:read", "visits:write"),
    ttl=6 * 3600,
)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn, *, seconds: float, max_runs: int) -> list[float]:
    """Milliseconds of each call of ``fn`` for up to ``seconds`` (at least 3 calls)."""
    samples, deadline = [], time.monotonic() + seconds
    while len(samples) < max_runs and (time.monotonic() < deadline or len(samples) < 3):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def visit_body(i: int) -> dict:
    return {
        "category": CATEGORIES[i % 4],
        "field": FIELDS[i % len(FIELDS)],
        "origin_unit": COMMUNES[i % len(COMMUNES)],
        "content": f"Khiếu nại việc thu hồi đất làm đường giao thông nông thôn, hồ sơ số {i}",
        "citizens": [
            {
                "full_name": f"Nguyễn Văn {i}",
                "address": "Ấp Phước Hòa",
                "id_number": f"{94000000000 + i:012d}",
                "is_representative": False,
            }
        ],
        "outcome": {"type": "documents_taken"},
    }


def _rate(samples: list[float]) -> float:
    return len(samples) / (sum(samples) / 1000)


def _line(label: str, samples: list[float], unit: str) -> str:
    return (
        f"create  {label:44s}: {_rate(samples):8.1f}/s  p50 {percentile(samples, 0.5):6.2f} ms  "
        f"p99 {percentile(samples, 0.99):6.2f} ms  ({len(samples)} {unit})"
    )


def bench_create(app, db, *, seconds: float, max_runs: int) -> None:
    """POST /visits against plain inserts of the same rows, interleaved call by call.

    The baseline writes, in one transaction each, exactly the rows a create stores for a body
    like the API's: the visit (every column), its citizen (name, address and identity number
    encrypted, both blind indexes) and the outbox event with the same payload; it skips what
    makes a create a create: the rules, the serial counter, the repeat lookup, the contract
    check, the relay's wake-up, HTTP and marshmallow. It runs twice, with ORM objects (the
    issue's baseline) and with Core inserts (the cheapest plain insert, as the API now writes
    its own rows). The older, smaller baseline (the visit and an encrypted name only, ORM)
    is printed too. Calls alternate (api, ORM, Core, older, api, ...) so that the load of the
    machine weighs on all of them alike; ten warm-up calls of each are not counted.
    """
    client = app.test_client()
    counter = iter(range(10**9))

    def api_create():
        resp = client.post("/visits", json=visit_body(next(counter)), headers=BOARD)
        assert resp.status_code == 201, resp.json

    cipher = app.extensions["intake"]["cipher"]

    def rows(i: int, repeat_of: str | None = None) -> tuple[dict, dict, dict]:
        """The visit, citizen and outbox rows a create stores for ``visit_body(i)`` (plain dicts), as a
        repeat of the visit ``repeat_of`` when given."""
        body = visit_body(i)
        person = body["citizens"][0]
        now = utcnow()
        visit_id = str(uuid.uuid4())
        matter_key = f"{body['origin_unit']}:{body['field']}"
        serial = f"BASE/{i:09d}"
        data = {
            "visit_id": visit_id,
            "serial": serial,
            "receiving_unit": "92",
            "origin_unit": body["origin_unit"],
            "received_at": now.isoformat(),
            "category": body["category"],
            "field": body["field"],
            "group_size": 1,
            "representative_count": 0,
            "is_mass": False,
            "outcome": "documents_taken",
            "matter_key": matter_key,
            "repeat_of": repeat_of,
            "over_level": False,
        }
        envelope = Envelope.new(type="intake.visit.recorded", source="intake", data=data)
        visit = {
            "id": visit_id,
            "serial": serial,
            "receiving_unit": "92",
            "receiving_officer": "btcd-01",
            "received_at": now,
            "category": body["category"],
            "field_code": body["field"],
            "origin_unit": body["origin_unit"],
            "subject": None,
            "content": body["content"],
            "prior_handling": None,
            "citizen_request": None,
            "search_text": fold(body["content"]),
            "matter_key": matter_key,
            "repeat_of": repeat_of,
            "repeat_count": 0,
            "group_size": 1,
            "is_mass": False,
            "over_level": False,
            "outcome": "documents_taken",
            "competent_body": None,
            "refusal_ground": None,
            "created_by": "bench-board",
            "created_at": now,
            # Migration 0008: the unit versions of the day, the channel, the correction count.
            "receiving_unit_id": 1,
            "origin_unit_id": 2,
            "channel": "in_person",
            "version": 1,
            "voided_at": None,
            "void_reason": None,
        }
        citizen = {
            "visit_id": visit_id,
            "position": 0,
            "full_name": cipher.encrypt(person["full_name"]),
            "address": cipher.encrypt(person["address"]),
            "id_number": cipher.encrypt(person["id_number"]),
            "phone": None,
            "id_index": cipher.index("id_number", person["id_number"]),
            "name_index": cipher.index("name_address", f"{person['full_name']}|{person['address']}"),
            "full_name_index": cipher.index("full_name", person["full_name"]),
            "phone_index": None,
            "is_representative": False,
        }
        event = {"event_id": envelope.id, "event_type": envelope.type, "payload": envelope.to_json(), "created_at": now}
        return visit, citizen, event

    orm_counter = iter(range(10**8, 2 * 10**8))
    orm_ids: list[str] = []  # the visits the ORM baseline stored, which its repeats below count on

    def same_rows_orm(repeat_of: str | None = None):
        visit, citizen, event = rows(next(orm_counter), repeat_of)
        del citizen["visit_id"]
        with db.session() as session:
            session.add(Visit(**visit, citizens=[VisitCitizen(**citizen)]))
            session.add(OutboxEvent(**event))
            if repeat_of:
                session.execute(
                    sa.update(Visit)
                    .where(Visit.id == repeat_of)
                    .values(repeat_count=Visit.repeat_count + 1)
                    .execution_options(synchronize_session=False)
                )  # nothing loaded to refresh
        if repeat_of is None:
            orm_ids.append(visit["id"])

    core_counter = iter(range(2 * 10**8, 3 * 10**8))
    tables = (Visit.__table__, VisitCitizen.__table__, OutboxEvent.__table__)

    def same_rows_core():
        with db.engine.begin() as conn:
            for table, row in zip(tables, rows(next(core_counter))):
                conn.execute(sa.insert(table), row)

    older_counter = iter(range(10**9))

    def older_baseline():
        i = next(older_counter)
        with db.session() as session:
            session.add(
                Visit(
                    serial=f"OLD/{i:09d}",
                    receiving_unit="947",
                    receiving_officer="btcd-01",
                    received_at=utcnow(),
                    category="complaint",
                    field_code="land",
                    origin_unit="31690",
                    content=visit_body(i)["content"],
                    search_text="",
                    matter_key="31690:land",
                    group_size=1,
                    is_mass=False,
                    over_level=False,
                    outcome="documents_taken",
                    created_by="bench",
                    citizens=[
                        VisitCitizen(position=0, full_name=cipher.encrypt(f"Nguyễn Văn {i}"), is_representative=False)
                    ],
                )
            )

    calls = (api_create, same_rows_orm, same_rows_core, older_baseline)
    for _ in range(10):
        for fn in calls:
            fn()
    samples, cpu = interleaved(calls, seconds=seconds, max_runs=max_runs)
    api, base, core, older = samples
    print(_line("api (POST /visits, in-process WSGI)", api, "requests"))
    print(_line("baseline: same rows, ORM inserts", base, "transactions"))
    print(_line("baseline: same rows, Core inserts", core, "transactions"))
    print(_line("older baseline: visit + encrypted name, ORM", older, "transactions"))
    print(
        "create  mean per call, CPU in this process + waiting (PostgreSQL's work and round trips): "
        + _split(("api", "ORM", "Core", "older"), samples, cpu)
    )
    print(
        f"create  ratio api / baseline (same rows, ORM): {100 * _rate(api) / _rate(base):.1f}% (goal >= 90%); "
        f"against Core inserts {100 * _rate(api) / _rate(core):.0f}%; "
        f"against the older baseline {100 * _rate(api) / _rate(older):.0f}%"
    )
    ratio = _rate(api) / _rate(base)
    goal(
        "intake write throughput against plain inserts of the same rows (in-process)",
        f"{_rate(api):.0f}/s against {_rate(base):.0f}/s: {ratio:.1%}",
        ">= 90%",
        ratio >= 0.9,
    )

    # Repeats: the citizens of earlier visits back about the same matter. The API looks up their first
    # visit (a statement more than for a first visit) and counts the repeat on it; the baseline writes
    # the same rows and adds one to the first visit's count, knowing which it is.
    created = next(counter)  # visit_body(0) .. visit_body(created - 1) are in the register
    again = (i % created for i in itertools.count())
    firsts = (orm_ids[i % len(orm_ids)] for i in itertools.count())

    def api_repeat():
        resp = client.post("/visits", json=visit_body(next(again)), headers=BOARD)
        assert resp.status_code == 201 and resp.json["repeat_of"], resp.json

    def orm_repeat():
        same_rows_orm(next(firsts))

    for _ in range(10):
        api_repeat()
        orm_repeat()
    (api, base), cpu = interleaved((api_repeat, orm_repeat), seconds=seconds, max_runs=max_runs)
    print(_line("api, repeat visits", api, "requests"))
    print(_line("baseline: same rows + first's count, ORM", base, "transactions"))
    print(
        f"create  repeats: ratio api / baseline {100 * _rate(api) / _rate(base):.1f}% (no goal; "
        f"CPU in this process + waiting: {_split(('api', 'ORM'), (api, base), cpu)})"
    )

    # An Idempotency-Key, as clients that retry their writes send one: the lookup of an earlier answer
    # before the view and the answer stored after it, against the same create without a key.
    def api_keyed():
        resp = client.post(
            "/visits", json=visit_body(next(counter)), headers={**BOARD, "Idempotency-Key": str(uuid.uuid4())}
        )
        assert resp.status_code == 201, resp.json

    (keyed, plain), cpu = interleaved((api_keyed, api_create), seconds=seconds, max_runs=max_runs)
    print(_line("api with an Idempotency-Key", keyed, "requests"))
    print(_line("api without", plain, "requests"))
    print(
        f"create  with a key: {100 * _rate(keyed) / _rate(plain):.1f}% of the throughput without (no goal; "
        f"CPU in this process + waiting: {_split(('with', 'without'), (keyed, plain), cpu)})"
    )


def _split(labels, samples, cpu) -> str:
    """Each kind of call's mean: its milliseconds = this process's CPU + the rest, waiting."""
    parts = []
    for label, out, spent in zip(labels, samples, cpu):
        wall, busy = sum(out) / len(out), 1000 * spent / len(out)
        parts.append(f"{label} {wall:.2f} ms = {busy:.2f} + {wall - busy:.2f}")
    return "; ".join(parts)


def interleaved(calls, *, seconds: float, max_runs: int) -> tuple[tuple[list[float], ...], list[float]]:
    """Call each of ``calls`` in turn for ``seconds`` each in all (at most ``max_runs`` rounds): the
    milliseconds of each call, and this process's CPU seconds per kind of call (the rest of a call
    waited), so that the load of the machine weighs on all of them alike."""
    samples: tuple[list[float], ...] = tuple([] for _ in calls)
    cpu = [0.0 for _ in calls]
    deadline = time.monotonic() + seconds * len(calls)
    while len(samples[0]) < max_runs and (time.monotonic() < deadline or len(samples[0]) < 3):
        for i, (fn, out) in enumerate(zip(calls, samples)):
            started, cpu_started = time.perf_counter(), time.process_time()
            fn()
            cpu[i] += time.process_time() - cpu_started
            out.append((time.perf_counter() - started) * 1000)
    return samples, cpu


def fill(db, cipher: IdentityCipher, n: int) -> float:
    """Insert ``n`` visits (one encrypted citizen each) with INSERT ... SELECT generate_series; seconds taken."""
    started = time.monotonic()
    name = cipher.encrypt("Trần Thị Bench")
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("""
            INSERT INTO visits (id, serial, receiving_unit, receiving_officer, received_at, category, field_code,
                origin_unit, content, search_text, matter_key, repeat_count, group_size, is_mass, over_level,
                outcome, created_by, created_at)
            SELECT md5('v' || i)::uuid::text,
                   'F' || (CAST(:communes AS text[]))[1 + i % 11] || '/' || i,
                   CASE WHEN i % 3 = 0 THEN '947' ELSE (CAST(:communes AS text[]))[1 + i % 11] END,
                   'btcd-01',
                   now() - make_interval(secs => i * 20),
                   (CAST(:categories AS text[]))[1 + i % 4],
                   (CAST(:fields AS text[]))[1 + i % 7],
                   (CAST(:communes AS text[]))[1 + i % 11],
                   'Khiếu nại việc bồi thường đất đai, hồ sơ ' || i,
                   'khieu nai viec boi thuong dat dai, ho so ' || i,
                   (CAST(:communes AS text[]))[1 + i % 11] || ':' || (CAST(:fields AS text[]))[1 + i % 7],
                   0,
                   CASE WHEN i % 50 = 0 THEN 12 ELSE 1 END,
                   i % 50 = 0, false, 'documents_taken', 'bench', now()
            FROM generate_series(1, :n) AS i
        """),
            {"n": n, "communes": REGISTER_COMMUNES, "categories": CATEGORIES, "fields": FIELDS},
        )
        conn.execute(
            sa.text("""
            INSERT INTO visit_citizens (visit_id, position, full_name, is_representative)
            SELECT md5('v' || i)::uuid::text, 0, :name, false FROM generate_series(1, :n) AS i
        """),
            {"n": n, "name": name},
        )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # VACUUM too, so that autovacuum does not start on the fresh rows in the middle of the measurements.
        conn.execute(sa.text("VACUUM ANALYZE visits"))
        conn.execute(sa.text("VACUUM ANALYZE visit_citizens"))
    return time.monotonic() - started


def bench_list(app, db, *, seconds: float, max_runs: int) -> None:
    client = app.test_client()
    commune = identity_headers(
        subject="commune-31690", kind="commune", unit="31690", permissions=("visits:read",), ttl=6 * 3600
    )

    def get(query, headers=BOARD):
        def call():
            resp = client.get("/visits", query_string=query, headers=headers)
            assert resp.status_code == 200, resp.json
            return resp.json

        return call

    # A cursor some 2,000 rows deep, so keyset pages are measured away from the top.
    cursor = None
    for _ in range(40):
        resp = client.get(
            "/visits", query_string={"limit": 50, **({"cursor": cursor} if cursor else {})}, headers=BOARD
        )
        assert resp.status_code == 200, resp.json
        cursor = resp.json["next_cursor"]
    cases = [
        ("first page, 50 newest", get({"limit": 50})),
        ("keyset page ~2,000 deep", get({"limit": 50, "cursor": cursor})),
        ("a commune's register", get({"limit": 50}, commune)),
        ("filter unit+category+mass", get({"limit": 50, "unit": "31690", "category": "complaint", "mass": "true"})),
        ("oldest first (sort)", get({"limit": 50, "sort": "received_at"})),
        ("search q='dat dai' (most match)", get({"limit": 50, "q": "dat dai"})),
        ("search q='ho so 4242' (rare word)", get({"limit": 50, "q": "ho so 4242"})),
    ]
    visits = Visit.__table__
    plain = sa.select(visits).order_by(visits.c.received_at.desc(), visits.c.id.desc()).limit(50)

    def baseline():
        with db.engine.connect() as conn:
            conn.execute(plain).all()

    worst = (0.0, "")
    for label, fn in cases:
        samples = timed(fn, seconds=seconds, max_runs=max_runs)
        print(
            f"list    {label:32s}: {len(samples) / (sum(samples) / 1000):8.1f}/s  "
            f"p50 {percentile(samples, 0.5):7.2f} ms  p99 {percentile(samples, 0.99):7.2f} ms  ({len(samples)} requests)"
        )
        worst = max(worst, (percentile(samples, 0.99), label))
    count = db.engine.connect().execute(sa.text("SELECT count(*) FROM visits")).scalar()
    goal(
        f"list queries over {count:,} visits (worst p99 of the {len(cases)} queries above)",
        f"{worst[0]:.0f} ms ({worst[1]})",
        "p99 < 50 ms",
        worst[0] < 50,
    )
    samples = timed(baseline, seconds=seconds, max_runs=max_runs)
    print(
        f"list    {'baseline: plain Core SELECT':32s}: {len(samples) / (sum(samples) / 1000):8.1f}/s  "
        f"p50 {percentile(samples, 0.5):7.2f} ms  p99 {percentile(samples, 0.99):7.2f} ms  ({len(samples)} queries)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000, help="visits in the register for the list phase")
    parser.add_argument("--seconds", type=float, default=5.0, help="time budget of each measured phase")
    parser.add_argument("--max-runs", type=int, default=2000, help="cap on calls in each measured phase")
    args = parser.parse_args()

    logging.disable(logging.INFO)  # access logs would dominate the timing
    with postgres_database("intake_bench") as url:
        key = generate_key()
        app = create_app(
            {
                "database_url": url,
                "identity_keys": (TEST_IDENTITY_KEY,),
                "log_level": "WARNING",
                "reference_dir": ROOT / "reference",
                "intake_identity_keys": (key,),
            }
        )
        runner = app.test_cli_runner()
        for cli in (["migrate"], ["seed"]):
            result = runner.invoke(args=cli)
            assert result.exit_code == 0, result.output
        db = app.extensions["tiepdan"]["db"]
        print(
            f"intake bench on PostgreSQL {db.engine.dialect.server_version_info}, "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {args.seconds:g} s per phase"
        )
        bench_create(app, db, seconds=args.seconds, max_runs=args.max_runs)
        took = fill(db, app.extensions["intake"]["cipher"], args.visits)
        print(f"fill    {args.visits:,} visits with INSERT ... SELECT generate_series + VACUUM ANALYZE: {took:.1f} s")
        bench_list(app, db, seconds=args.seconds, max_runs=args.max_runs)
        db.dispose()


if __name__ == "__main__":
    main()
