"""Reference data in memory: in force until its version row moves, never stale past the cache's age."""

import datetime as dt
import json
import shutil

import pytest
import sqlalchemy as sa

from intake.reference import service as reference
from intake.reference.cache import FieldRef, ReferenceCache, Snapshot, UnitRef, freeze

REFERENCE_TABLES = ("units", "fields", "legal_rules", "holidays", "calendar_years")
THRESHOLD_3 = {"key": "group.mass_threshold", "value": 3, "effective_from": "2025-01-01", "source": "a test's own rule"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def cache_clock(app):
    """The app's reference cache on a clock the test moves (max age 60 s)."""
    clock = Clock()
    app.extensions["intake"][reference.EXTENSION_KEY] = ReferenceCache(max_age=60, clock=clock)
    return clock


@pytest.fixture
def elsewhere(database_url):
    """Another process's connection to the same database; what the test adds there is removed at the end."""
    engine = sa.create_engine(database_url)
    undo = []
    yield engine, undo
    with engine.begin() as conn:
        for statement, params in reversed(undo):
            conn.execute(sa.text(statement), params)
    engine.dispose()


@pytest.fixture
def statements(app):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = app.extensions["tiepdan"]["db"].engine
    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


def _reads_reference(statement: str) -> bool:
    return any(f"FROM {table}" in statement for table in REFERENCE_TABLES)


def _visit(client, board, visit_body, size, **overrides):
    resp = client.post(
        "/visits", json=visit_body(size=size, received_at="2025-06-02T08:00:00+07:00", **overrides), headers=board
    )
    assert resp.status_code == 201, resp.json
    return resp.json


def _version(conn) -> int:
    return conn.execute(sa.text("SELECT version FROM reference_version WHERE id = 1")).scalar_one()


def test_a_rule_changed_elsewhere_is_in_force_once_the_cache_is_older_than_its_max_age(
    app, client, board, visit_body, cache_clock, elsewhere, statements
):
    engine, undo = elsewhere
    assert _visit(client, board, visit_body, 4)["is_mass"] is False  # loads the reference tables
    statements.clear()
    _visit(client, board, visit_body, 4)
    assert not [s for s in statements if _reads_reference(s) or "reference_version" in s], statements

    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO legal_rules (key, effective_from, value, source) "
                "VALUES ('group.mass_threshold', :day, '3', 'a test''s own rule')"
            ),
            {"day": dt.date(2025, 1, 1)},
        )
    undo.append(
        (
            "DELETE FROM legal_rules WHERE key = 'group.mass_threshold' AND effective_from = :day",
            {"day": dt.date(2025, 1, 1)},
        )
    )
    assert _visit(client, board, visit_body, 4)["is_mass"] is False  # younger than 60 s: as if changed later

    cache_clock.now += 61
    statements.clear()
    assert _visit(client, board, visit_body, 4)["is_mass"] is True
    assert any(_reads_reference(s) for s in statements)  # the version moved: reloaded
    assert _visit(client, board, visit_body, 3)["is_mass"] is True
    earlier_day = client.post(
        "/visits", json=visit_body(size=4, received_at="2024-12-31T08:00:00+07:00"), headers=board
    )
    assert earlier_day.json["is_mass"] is False  # the rule in force on the day of the visit

    cache_clock.now += 61
    statements.clear()
    _visit(client, board, visit_body, 1)
    assert [s for s in statements if "reference_version" in s] and not any(_reads_reference(s) for s in statements)


def test_a_unit_or_field_added_elsewhere_is_accepted_at_once(app, client, board, visit_body, cache_clock, elsewhere):
    engine, undo = elsewhere
    _visit(client, board, visit_body, 1)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO units (code, name, level, parent_id, valid_from, source, confirmed) VALUES "
                "('99001', 'Xã Thử Nghiệm', 'commune', (SELECT id FROM units WHERE code = '947'), :day,"
                " 'test', true)"
            ),
            {"day": dt.date(2025, 1, 1)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO fields (code, name_vi, name_en, agency_code) "
                "VALUES ('test_field', 'Lĩnh vực thử', 'Test field', 'test')"
            )
        )
    undo.append(("DELETE FROM units WHERE code = '99001'", {}))
    undo.append(("DELETE FROM fields WHERE code = 'test_field'", {}))
    made = _visit(client, board, visit_body, 1, origin_unit="99001", field="test_field")
    assert made["origin_unit"] == "99001" and made["field"] == "test_field"
    unknown = client.post("/visits", json=visit_body(origin_unit="99002"), headers=board)
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "origin_unit"


def test_seeding_in_this_process_is_in_force_at_once(
    app, client, board, visit_body, cache_clock, elsewhere, tmp_path, reference_dir
):
    _, undo = elsewhere
    assert _visit(client, board, visit_body, 4)["is_mass"] is False
    folder = tmp_path / "reference"
    shutil.copytree(reference_dir, folder)
    (folder / "intake-test-rules.json").write_text(json.dumps({"rules": [THRESHOLD_3]}), encoding="utf-8")
    undo.append(
        (
            "DELETE FROM legal_rules WHERE key = 'group.mass_threshold' AND effective_from = :day",
            {"day": dt.date(2025, 1, 1)},
        )
    )
    result = app.test_cli_runner().invoke(args=["seed", "--reference-dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert _visit(client, board, visit_body, 4)["is_mass"] is True  # the clock has not moved


def test_every_change_to_a_reference_table_bumps_the_version(database_url, elsewhere):
    engine, undo = elsewhere
    changes = {
        "units": (
            (
                "INSERT INTO units (code, name, level, parent_id, valid_from, source, confirmed) VALUES "
                "('99003', 'Xã Tạm', 'commune', (SELECT id FROM units WHERE code = '947'), '2026-01-01', 'x', true)"
            ),
            "UPDATE units SET name = 'Xã Tạm Thời' WHERE code = '99003'",
            "DELETE FROM units WHERE code = '99003'",
        ),
        "fields": (
            "INSERT INTO fields (code, name_vi, name_en, agency_code) VALUES ('tmp', 'Tạm', 'Tmp', 'tmp')",
            "UPDATE fields SET name_en = 'Temporary' WHERE code = 'tmp'",
            "DELETE FROM fields WHERE code = 'tmp'",
        ),
        "legal_rules": (
            (
                "INSERT INTO legal_rules (key, effective_from, value, source) "
                "VALUES ('test.rule', '2026-01-01', '1', 'test')"
            ),
            "UPDATE legal_rules SET value = '2' WHERE key = 'test.rule'",
            "DELETE FROM legal_rules WHERE key = 'test.rule'",
        ),
        "holidays": (
            "INSERT INTO holidays (date, name) VALUES ('2099-01-02', 'Ngày thử')",
            "UPDATE holidays SET name = 'Ngày thử nghiệm' WHERE date = '2099-01-02'",
            "DELETE FROM holidays WHERE date = '2099-01-02'",
        ),
        "calendar_years": (
            "INSERT INTO calendar_years (year, source) VALUES (2099, 'thử')",
            "UPDATE calendar_years SET note = 'thử' WHERE year = 2099",
            "DELETE FROM calendar_years WHERE year = 2099",
        ),
    }
    undo.append(("DELETE FROM units WHERE code = '99003'", {}))  # in case an assertion fails half-way
    undo.append(("DELETE FROM calendar_years WHERE year = 2099", {}))
    with engine.connect() as conn:
        before = _version(conn)
    for table, statements in changes.items():
        for statement in statements:
            with engine.begin() as conn:
                conn.execute(sa.text(statement))
            with engine.connect() as conn:
                after = _version(conn)
            assert after > before, (table, statement)
            before = after
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            with conn.begin() as transaction:
                conn.execute(sa.text("TRUNCATE holidays"))
                assert _version(conn) > before
                transaction.rollback()
            assert _version(conn) == before and conn.execute(sa.text("SELECT count(*) FROM holidays")).scalar() > 0


def test_a_missing_version_row_makes_every_check_reload(app, database_url, elsewhere):
    engine, undo = elsewhere
    with engine.begin() as conn:
        version = _version(conn)
        conn.execute(sa.text("DELETE FROM reference_version"))
    undo.append(("INSERT INTO reference_version (id, version) VALUES (1, :version)", {"version": version}))
    clock = Clock()
    cache = ReferenceCache(max_age=0, clock=clock)
    db = app.extensions["tiepdan"]["db"]
    with db.session() as session:
        assert cache.get(session).unit("947").level == "district"
        cache.get(session)
    assert cache.loads == 2


def test_a_cache_with_no_max_age_checks_the_version_on_every_use_and_reloads_only_on_change(app, elsewhere):
    engine, _ = elsewhere
    cache = ReferenceCache(max_age=0, clock=Clock())
    db = app.extensions["tiepdan"]["db"]
    with db.session() as session:
        first = cache.get(session)
        assert cache.get(session) is first and cache.loads == 1
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE units SET name = name WHERE code = '947'"))
    with db.session() as session:
        assert cache.get(session) is not first and cache.loads == 2
    with pytest.raises(ValueError):
        ReferenceCache(max_age=-1)


def test_a_snapshot_answers_by_effective_date_and_its_values_are_read_only():
    day = dt.date
    snapshot = Snapshot(
        version=1,
        units={
            "94": UnitRef("94", "Tỉnh", "province", None),
            "947": UnitRef("947", "Huyện", "district", "94"),
            "31690": UnitRef("31690", "Xã", "commune", "947"),
        },
        fields={"land": FieldRef("land", "Đất đai", "Land", "tnmt")},
        rules={
            "deadline": ((day(2026, 1, 1), freeze({"normal": [30, 45]})), (day(2014, 1, 1), freeze({"normal": [1]})))
        },
        holiday_dates=(day(2026, 4, 30), day(2026, 5, 1), day(2026, 9, 2)),
    )
    assert snapshot.rule("deadline", day(2025, 12, 31))["normal"] == (1,)
    assert snapshot.rule("deadline", day(2026, 1, 1))["normal"] == (30, 45)
    with pytest.raises(TypeError):
        snapshot.rule("deadline", day(2026, 1, 1))["normal"] = 1
    assert snapshot.holidays(day(2026, 5, 1), day(2026, 9, 1)) == {day(2026, 5, 1)}
    assert snapshot.is_ancestor("94", "31690") and snapshot.is_ancestor("947", "31690")
    assert not snapshot.is_ancestor("31690", "947") and not snapshot.is_ancestor("94", "nowhere")
    assert snapshot.unit("nowhere") is None and snapshot.field("land").name_vi == "Đất đai"


def test_reference_lookups_outside_an_app_read_the_database(app):
    with app.extensions["tiepdan"]["db"].session() as session:
        assert reference.get_unit(db_session=session, code="947").level == "district"
        assert reference.rule(db_session=session, key="group.mass_threshold", on=dt.date(2026, 1, 1)) == 5
        with pytest.raises(LookupError):
            reference.rule(db_session=session, key="group.mass_threshold", on=dt.date(2000, 1, 1))
