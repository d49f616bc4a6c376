"""A visit's create: two statements on PostgreSQL (intake.visit.writes), a statement per step on SQLite,
the same visit, citizens, event, number and repeat either way."""

import contextlib

import pytest
import sqlalchemy as sa

from intake import create_app
from intake.confidential.crypto import generate_key
from tiepdan_common.migrations import OUTBOX_NOTIFY_CHANNEL
from tiepdan_common.testing import identity_headers

READER = identity_headers(
    subject="ttr-01", kind="district", unit="947", officer="ttr-01", permissions=("visits:read", "identity:read")
)


def _person(name, id_number=None, address=None, representative=False):
    return {"full_name": name, "id_number": id_number, "address": address, "is_representative": representative}


@contextlib.contextmanager
def statements(app):
    """The SQL statements the app's engine runs inside the block (BEGIN and COMMIT are not statements)."""
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    engine = app.extensions["tiepdan"]["db"].engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_a_create_runs_two_statements_on_postgresql_three_on_a_repeat_and_one_per_step_elsewhere(
    app, client, board, visit_body
):
    """Two statements for a citizen seen for the first time (the lookup, the write); a third picks the
    first visit of the matter when the citizen has visited before."""
    person = _person("Nguyễn Văn Tư", id_number="094111222333")
    warm = client.post("/visits", json=visit_body(citizens=[_person("Lê Thị Bảy")]), headers=board)
    assert warm.status_code == 201  # the process's reference data is loaded
    with statements(app) as seen:
        first = client.post("/visits", json=visit_body(citizens=[person]), headers=board)
    assert first.status_code == 201 and first.json["earlier"] is None
    firsts = [s for s in seen if "reference_version" not in s and s.strip(" ;") and not s.startswith("BEGIN")]
    with statements(app) as seen:
        again = client.post("/visits", json=visit_body(citizens=[person]), headers=board)
    assert again.status_code == 201 and again.json["earlier"]["repeat_count"] == 1
    seen = [s for s in seen if "reference_version" not in s and s.strip(" ;") and not s.startswith("BEGIN")]
    if app.extensions["tiepdan"]["db"].is_postgresql:
        assert len(firsts) == 2, firsts
        assert firsts[0].startswith("SELECT visit_citizens.visit_id FROM visit_citizens") and "visits." not in firsts[0]
        assert firsts[1].startswith("WITH counter AS (INSERT INTO serial_counters")
        assert "INSERT INTO visits" in firsts[1] and "INSERT INTO outbox_events" in firsts[1]
        assert len(seen) == 3, seen
        assert seen[0] == firsts[0]
        assert seen[1].startswith("SELECT visits.id") and "ORDER BY visits.received_at" in seen[1]
        assert seen[2].startswith("WITH counter AS (INSERT INTO serial_counters") and "UPDATE visits" in seen[2]
    else:  # the lookup, the counter, the visit, its citizen, (the first visit's count,) the event
        assert [s.split()[0] for s in firsts] == ["SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"], firsts
        assert len(seen) == 6, seen
        assert [s.split()[0] for s in seen] == ["SELECT", "UPDATE", "INSERT", "INSERT", "UPDATE", "INSERT"]


def test_a_create_commits_as_its_one_write_unless_a_transaction_is_open(app, client, board, visit_body, outbox_events):
    """On PostgreSQL a create alone runs on a connection in autocommit (no BEGIN, no COMMIT: its one
    write statement commits as it runs); with an Idempotency-Key its statements join the transaction
    of the key's lookup, so that the stored answer commits with the visit or not at all."""
    db = app.extensions["tiepdan"]["db"]
    if not db.is_postgresql:
        pytest.skip("SQLite writes a statement at a time in the request's transaction")
    modes = []

    def record(conn, _cursor, statement, *_args):
        if statement.startswith("WITH counter AS"):
            modes.append(conn.connection.driver_connection.autocommit)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        alone = client.post("/visits", json=visit_body(), headers=board)
        keyed = client.post("/visits", json=visit_body(), headers={**board, "Idempotency-Key": "tct-1"})
        replayed = client.post("/visits", json=visit_body(), headers={**board, "Idempotency-Key": "tct-1"})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert (alone.status_code, keyed.status_code, replayed.status_code) == (201, 201, 201)
    assert modes == [True, False]  # the replay wrote nothing
    assert replayed.json == keyed.json and replayed.headers["Idempotent-Replayed"] == "true"
    assert [e["data"]["serial"] for e in outbox_events("intake.visit.recorded")] == [
        alone.json["serial"],
        keyed.json["serial"],
    ]
    with db.engine.connect() as conn:  # the pool's connections are back in transactions
        assert conn.connection.driver_connection.autocommit is False


def test_register_numbers_go_past_six_digits(app, client, board, visit_body, outbox_events):
    """Six digits at least, then as many as the number has: the same on both backends, and in the event."""
    first = client.post("/visits", json=visit_body(), headers=board).json
    unit, year, _ = first["serial"].split("/")
    db = app.extensions["tiepdan"]["db"]
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE serial_counters SET last = 999998 WHERE unit = :unit AND year = :year"),
            {"unit": unit, "year": int(year)},
        )
    serials = [client.post("/visits", json=visit_body(), headers=board).json["serial"] for _ in range(2)]
    assert serials == [f"{unit}/{year}/999999", f"{unit}/{year}/1000000"]
    assert [e["data"]["serial"] for e in outbox_events("intake.visit.recorded")][1:] == serials


@pytest.mark.parametrize("size", [1, 3])
def test_citizens_are_stored_in_order_and_read_back_as_given(client, board, visit_body, outbox_events, size):
    people = [
        _person(f"Trần Thị {i}", id_number=f"09400000000{i}", address=f"Ấp {i}", representative=i == 0)
        for i in range(size)
    ]
    people[-1]["phone"] = "0912345678"
    created = client.post("/visits", json=visit_body(size=size, citizens=people), headers=board)
    assert created.status_code == 201, created.json
    assert [c["is_representative"] for c in created.json["citizens"]] == [p["is_representative"] for p in people]
    read = client.get(f"/visits/{created.json['id']}", headers=READER).json
    assert [
        (c["full_name"], c["id_number"], c["address"], c["phone"], c["is_representative"]) for c in read["citizens"]
    ] == [(p["full_name"], p["id_number"], p["address"], p.get("phone"), p["is_representative"]) for p in people]
    (event,) = outbox_events("intake.visit.recorded")
    assert event["data"]["visit_id"] == created.json["id"] and event["data"]["serial"] == created.json["serial"]
    assert event["data"]["representative_count"] == 1


def test_a_group_repeating_a_matter_is_joined_to_the_first_visit(client, board, visit_body, outbox_events):
    """A repeat found through a later visit of the matter goes to the matter's first visit, whose count
    counts every repeat; with several citizens (the JSON form) as with one."""
    tu, nam = _person("Nguyễn Văn Tư", id_number="094111222333"), _person("Lê Văn Năm", address="Ấp Phước Hòa")
    first = client.post("/visits", json=visit_body(citizens=[tu], subject="Tỉnh lộ 940"), headers=board).json
    both = client.post("/visits", json=visit_body(size=2, citizens=[tu, nam]), headers=board).json
    assert both["repeat_of"] == first["id"] and both["earlier"]["repeat_count"] == 1
    # Năm alone: the lookup finds the group's visit, a repeat itself; the first visit is the matter's.
    alone = client.post("/visits", json=visit_body(citizens=[{**nam, "full_name": "LÊ VĂN NĂM"}]), headers=board).json
    assert alone["repeat_of"] == first["id"] and alone["matter_key"] == first["matter_key"]
    assert alone["earlier"]["serial"] == first["serial"] and alone["earlier"]["repeat_count"] == 2
    other_matter = client.post("/visits", json=visit_body(citizens=[nam], field="social_policy"), headers=board).json
    assert other_matter["repeat_of"] is None and other_matter["earlier"] is None
    assert client.get(f"/visits/{first['id']}", headers=board).json["repeat_count"] == 2
    events = [e["data"] for e in outbox_events("intake.visit.recorded")]
    assert [e["repeat_of"] for e in events] == [None, first["id"], first["id"], None]


def test_repeats_are_found_under_every_configured_key(
    app, database_url, reference_dir, identity_key, board, visit_body
):
    """Between a key change and the rotation, the lookup carries each person's index under both keys."""
    person = _person("Phạm Thị Sáu", id_number="094555666777", address="Ấp Hòa Tú")
    first = app.test_client().post("/visits", json=visit_body(citizens=[person]), headers=board).json
    newer = create_app(
        {
            "database_url": database_url,
            "identity_keys": app.extensions["tiepdan"]["settings"].identity_keys,
            "reference_dir": reference_dir,
            "intake_identity_keys": (generate_key(), identity_key),
        }
    )
    try:
        again = newer.test_client().post(
            "/visits",
            json=visit_body(size=2, citizens=[_person("Someone Else", id_number="094000000001"), person]),
            headers=board,
        )
        assert again.status_code == 201, again.json
        assert again.json["repeat_of"] == first["id"]
    finally:
        newer.extensions["tiepdan"]["db"].dispose()


def test_the_first_visit_of_a_unit_and_year_starts_its_counter(client, board, commune, visit_body):
    for unit, expected in (("31684", "000001"), ("31684", "000002"), ("31690", "000001")):
        created = client.post(
            "/visits", json=visit_body(received_at="2025-06-02T08:00:00+07:00"), headers=commune(unit)
        ).json
        assert created["serial"] == f"{unit}/2025/{expected}"
    district = client.post("/visits", json=visit_body(received_at="2025-06-02T08:00:00+07:00"), headers=board).json
    assert district["serial"] == "947/2025/000001"


def test_a_create_that_fails_gives_its_number_back(app, client, board, visit_body):
    """A write refused by the database after the number was taken rolls the counter back with it."""
    first = client.post("/visits", json=visit_body(), headers=board).json
    db = app.extensions["tiepdan"]["db"]
    with db.engine.begin() as conn:  # a serial the next create would take, already in the register
        conn.execute(
            sa.text("UPDATE visits SET serial = :next WHERE id = :id"),
            {"next": first["serial"][:-6] + "000002", "id": first["id"]},
        )
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    refused = client.post("/visits", json=visit_body(), headers=board)
    assert refused.status_code == 500
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE visits SET serial = :back WHERE id = :id"), {"back": first["serial"], "id": first["id"]}
        )
    assert client.post("/visits", json=visit_body(), headers=board).json["serial"].endswith("/000002")


def test_a_create_wakes_the_relay_on_postgresql(app, client, board, visit_body, database_url):
    if not app.extensions["tiepdan"]["db"].is_postgresql:
        pytest.skip("the relay polls SQLite")
    import psycopg

    url = sa.engine.make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {OUTBOX_NOTIFY_CHANNEL}")
        assert client.post("/visits", json=visit_body(), headers=board).status_code == 201
        notices = list(listener.notifies(timeout=5, stop_after=1))
    assert [n.channel for n in notices] == [OUTBOX_NOTIFY_CHANNEL]


def test_the_first_visit_is_answered_in_utc_whatever_the_sessions_time_zone(app, client, board, visit_body):
    """The create reads the first visit of a repeat with its own SQL (writes._run): its time still comes
    back in UTC, as every other read gives it, when the database's sessions run in Viet Nam's time."""
    db = app.extensions["tiepdan"]["db"]
    if not db.is_postgresql:
        pytest.skip("SQLite keeps no time zone")
    person = _person("Võ Văn Tám", id_number="094888999000")
    first = client.post(
        "/visits", json=visit_body(citizens=[person], received_at="2025-06-02T08:00:00+07:00"), headers=board
    ).json
    with db.engine.begin() as conn:
        name = conn.execute(sa.text("SELECT current_database()")).scalar_one()
        conn.execute(sa.text(f"ALTER DATABASE \"{name}\" SET TimeZone = 'Asia/Ho_Chi_Minh'"))
    db.engine.dispose()
    try:
        again = client.post("/visits", json=visit_body(citizens=[person]), headers=board).json
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SHOW TimeZone")).scalar_one() == "Asia/Ho_Chi_Minh"
    finally:
        with db.engine.begin() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" RESET TimeZone'))
        db.engine.dispose()
    assert again["repeat_of"] == first["id"]
    stored = client.get(f"/visits/{first['id']}", headers=board).json["received_at"]
    assert again["earlier"]["received_at"] == stored == "2025-06-02T01:00:00+00:00"
