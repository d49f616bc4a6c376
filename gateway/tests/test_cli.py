"""The administration CLI, and the migrations, against SQLite and PostgreSQL."""

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from gateway.accounts import AuthenticationFailed
from gateway.cli import main
from gateway.keys import KeyStore
from gateway.models import Base
from gateway.runtime import make_account_store
from gateway.settings import load_gateway_settings
from tiepdan_common.db import Database
from tiepdan_common.testing import postgres_database

DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo.json"
FAST_ENV = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024", "ARGON2_PARALLELISM": "1"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A database with no tables yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        with postgres_database("gateway_cli") as url:
            yield url


@pytest.fixture
def run(empty_database_url):
    """``run("list-clients")``: the CLI against the test database, with cheap hashing; fails on errors."""
    runner = CliRunner()
    env = {"GATEWAY_DATABASE_URL": empty_database_url, **FAST_ENV}

    def invoke(*args: str, ok: bool = True, input: str | None = None):
        result = runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    invoke("migrate")
    return invoke


@pytest.fixture
def store(empty_database_url, run):
    settings = load_gateway_settings(
        {"database_url": empty_database_url, "argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}
    )
    db = Database(empty_database_url)
    yield make_account_store(settings, db)
    db.dispose()


def test_migrations_match_the_models(empty_database_url, run):
    db = Database(empty_database_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_migrate_twice_is_harmless(run):
    assert "database at head" in run("migrate").output


@pytest.mark.skipif(not DEMO.exists(), reason="no demo data")
def test_seed_demo_is_idempotent(run, store):
    first = run("seed-demo", str(DEMO))
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    total = len(data["clients"]) + len(data["officers"]) + len(data["users"])
    assert f"({total} created, 0 updated)" in first.output
    second = run("seed-demo", str(DEMO))
    assert f"(0 created, {total} updated)" in second.output
    clients = {c.client_id: c for c in store.list_clients()}
    users = {u.username: u for u in store.list_users()}
    assert len(clients) == len(data["clients"]) and len(users) == len(data["officers"]) + len(data["users"])
    # The demo's administrator signs in to the dashboard's reference screens.
    admin = store.authenticate_user("quantri", "demo-quantri")
    assert (admin.kind, admin.officer) == ("admin", None)
    for client in data["clients"]:
        assert clients[client["client_id"]].secret_hash.startswith("$argon2id$")
        assert client["client_secret"] not in clients[client["client_id"]].secret_hash
        principal = store.authenticate_client(client["client_id"], client["client_secret"])
        assert principal.kind == client["kind"] and principal.unit == client["unit"]
    agencies = {a["code"]: a for a in data["agencies"]}
    for officer in data["officers"]:
        principal = store.authenticate_user(officer["username"], officer["password"])
        agency = agencies[officer["agency"]]
        if agency["kind"] in ("commune", "police"):
            expected_kind = agency["kind"]
        else:
            expected_kind = "police" if officer["role"] == "police" else "district"
        assert principal.kind == expected_kind and principal.roles == (officer["role"],)
        assert principal.officer == officer["code"] and principal.unit == agency["unit"]
    police = store.authenticate_user("ca-01", "demo-ca-01")
    assert police.kind == "police" and "alerts:ack" in police.permissions
    board = store.authenticate_client("district-board", "demo-secret-board")
    assert board.roles == ("board",) and "cases:write" in board.permissions


def test_client_commands(run, store):
    created = run("create-client", "app-31690", "--kind", "commune", "--name", "Xã Đại Tâm", "--unit", "31690")
    secret = created.output.split("client_secret:")[1].split()[0]
    assert store.authenticate_client("app-31690", secret).unit == "31690"
    assert run("create-client", "app-31690", "--kind", "commune", "--name", "x", ok=False).exit_code != 0
    assert run("create-client", "bad", "--kind", "emperor", "--name", "x", ok=False).exit_code != 0
    listed = run("list-clients", "--json").output.splitlines()
    row = json.loads(listed[0])
    assert row["client_id"] == "app-31690" and row["name"] == "Xã Đại Tâm" and row["disabled"] is False
    assert "secret" not in json.dumps(row)

    rotated = run("rotate-secret", "app-31690").output.split("client_secret:")[1].split()[0]
    assert rotated != secret
    assert store.authenticate_client("app-31690", rotated)
    with pytest.raises(AuthenticationFailed):
        store.authenticate_client("app-31690", secret)

    run("disable-client", "app-31690")
    with pytest.raises(AuthenticationFailed):
        store.authenticate_client("app-31690", rotated)
    assert "disabled" in run("list-clients").output
    run("disable-client", "app-31690", "--enable")
    assert store.authenticate_client("app-31690", rotated)
    assert run("disable-client", "nobody", ok=False).exit_code != 0


def test_user_commands(run, store):
    run(
        "create-user",
        "tcd-09",
        "--full-name",
        "Ngô Văn Bình",
        "--kind",
        "district",
        "--role",
        "board",
        "--unit",
        "947",
        "--officer-code",
        "tcd-09",
        "--password",
        "s3cret-pass",
    )
    principal = store.authenticate_user("tcd-09", "s3cret-pass")
    assert principal.officer == "tcd-09" and principal.roles == ("board",)
    generated = run(
        "create-user", "ca-09", "--full-name", "Lâm Thị Cúc", "--kind", "police", "--role", "police", "--generate"
    )
    password = generated.output.split("password:")[1].split()[0]
    assert store.authenticate_user("ca-09", password).kind == "police"
    run(
        "create-user",
        "ld-09",
        "--full-name",
        "Trịnh Văn Sang",
        "--kind",
        "district",
        "--role",
        "leader",
        input="pw-prompted\npw-prompted\n",
    )
    assert store.authenticate_user("ld-09", "pw-prompted").roles == ("leader",)

    rows = [json.loads(line) for line in run("list-users", "--json").output.splitlines()]
    assert [r["username"] for r in rows] == ["ca-09", "ld-09", "tcd-09"]
    assert all("password" not in json.dumps(r) for r in rows)

    run("disable-user", "tcd-09")
    with pytest.raises(AuthenticationFailed):
        store.authenticate_user("tcd-09", "s3cret-pass")
    run("disable-user", "tcd-09", "--enable")
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            store.authenticate_user("tcd-09", "wrong")
    assert "locked" in run("list-users").output
    run("unlock-user", "tcd-09")
    assert store.authenticate_user("tcd-09", "s3cret-pass")
    run("set-password", "tcd-09", "--password", "new-pass-1")
    assert store.authenticate_user("tcd-09", "new-pass-1")


def test_rotate_signing_key(run, empty_database_url):
    keys = KeyStore(Database(empty_database_url), 900)
    try:
        first, _ = keys.current()
        output = run("rotate-signing-key").output
        new_kid = output.split("new signing key")[1].strip()
        assert keys.current()[0] == new_kid != first
        assert [k.kid for k in keys.published()] == [new_kid, first]
        listed = run("list-signing-keys").output
        assert new_kid in listed and first in listed and "BEGIN" not in listed
    finally:
        keys.db.dispose()


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "gateway", "--help"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "seed-demo" in result.stdout and "rotate-signing-key" in result.stdout
