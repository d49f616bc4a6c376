"""The role and route tables, and the README that publishes them."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway import access
from gateway.cli import README_END, README_START, main

README = Path(__file__).resolve().parents[1] / "README.md"


def test_board_permissions():
    perms = set(access.permissions_for("district", ["board"]))
    assert {"visits:read", "visits:write", "cases:write", "roster:write", "province_requests:write"} <= perms
    assert "identity:read" not in perms and "audit:read" not in perms and "alerts:ack" not in perms


def test_inspector_is_board_plus_identity_and_audit():
    board = set(access.permissions_for("district", ["board"]))
    inspector = set(access.permissions_for("district", ["inspector"]))
    assert inspector == board | {"identity:read", "audit:read"}


def test_the_board_sends_notices_to_the_distribution_list():
    assert "notices:write" in access.permissions_for("district", ["board"])
    assert "notices:write" not in access.permissions_for("district", ["department"])


def test_leader_reads_everything_and_writes_cases_only():
    leader = set(access.permissions_for("district", ["leader"]))
    assert set(access.ALL_READS) <= leader
    assert {p for p in leader if not p.endswith(":read")} == {"cases:write"}


@pytest.mark.parametrize(
    ("kind", "roles", "expected"),
    [
        (
            "district",
            ["department"],
            {
                "reference:read",
                "visits:read",
                "petitions:read",
                "petitions:write",
                "cases:read",
                "roster:read",
                "inbox:read",
            },
        ),
        (
            "commune",
            [],
            {
                "reference:read",
                "visits:read",
                "visits:write",
                "petitions:read",
                "petitions:write",
                "cases:read",
                "roster:read",
                "inbox:read",
            },
        ),
        (
            "police",
            ["police"],
            {
                "incidents:read",
                "incidents:write",
                "alerts:read",
                "alerts:ack",
                "cases:read",
                "roster:read",
                "inbox:read",
                "hotspots:read",
            },
        ),
        ("province", [], {"province_requests:read", "province_requests:write", "cases:read", "inbox:read"}),
        ("service", ["service"], {"reference:read", "roster:read"}),
        ("admin", [], set(access.PERMISSIONS)),
        ("district", [], set()),
        ("district", ["unknown-role"], set()),
    ],
)
def test_kind_permissions(kind, roles, expected):
    assert set(access.permissions_for(kind, roles)) == expected


def test_roles_add_up():
    both = set(access.permissions_for("district", ["board", "department"]))
    assert both == set(access.permissions_for("district", ["board"])) | set(
        access.permissions_for("district", ["department"])
    )


@pytest.mark.parametrize(
    ("method", "path", "perm"),
    [
        ("GET", "/api/v1/intake/visits", "visits:read"),
        ("GET", "/api/v1/intake/visits/", "visits:read"),
        ("HEAD", "/api/v1/intake/visits/42", "visits:read"),
        ("GET", "/api/v1/intake/visits/42", "visits:read"),
        ("POST", "/api/v1/intake/visits", "visits:write"),
        ("POST", "/api/v1/intake/visits/42", None),
        ("GET", "/api/v1/intake/visits/42/extra", None),
        ("DELETE", "/api/v1/intake/visits/42", None),
        ("GET", "/api/v1/intake/petitions", "petitions:read"),
        ("GET", "/api/v1/intake/holidays", "reference:read"),
        ("GET", "/api/v1/intake/units", "reference:read"),
        ("GET", "/api/v1/intake/reference-changes", None),  # the administrators' audit: theirs alone
        ("GET", "/api/v1/roster/agencies", "roster:read"),
        ("GET", "/api/v1/roster/officers/ca-01", "roster:read"),
        ("GET", "/api/v1/roster/shifts/2024-11-26/slots", None),
        ("GET", "/api/v1/roster/on-duty", "roster:read"),
        ("GET", "/api/v1/roster/on-dutyx", None),
        ("GET", "/api/v1/roster/secrets", None),
        ("PUT", "/api/v1/roster/shifts/1", None),
        ("PATCH", "/api/v1/roster/officers/1", "roster:write"),
        ("GET", "/api/v1/roster/calendar/1/x.ics", None),  # public, not in this table
        ("DELETE", "/api/v1/roster/assignments/1", "roster:write"),
        ("POST", "/api/v1/roster/shifts/4/assignments", "roster:write"),
        ("GET", "/api/v1/escalation/cases", "cases:read"),
        ("GET", "/api/v1/escalation/cases/7/history", None),
        ("POST", "/api/v1/escalation/cases/7/close", "cases:write"),
        ("DELETE", "/api/v1/escalation/cases/7", None),
        ("GET", "/api/v1/escalation/incidents", "incidents:read"),
        ("GET", "/api/v1/notify/inbox", "inbox:read"),
        ("POST", "/api/v1/notify/inbox/9/read", "inbox:read"),
        ("POST", "/api/v1/notify/inbox/9/ack", "inbox:read"),
        ("POST", "/api/v1/notify/inbox/9/delete", None),
        ("POST", "/api/v1/notify/rules", None),
    ],
)
def test_route_table(method, path, perm):
    assert access.required_permission(method, path) == perm


def test_unlisted_route_is_for_admin_only():
    everything = frozenset(access.PERMISSIONS)
    assert access.is_allowed("district", everything, "GET", "/api/v1/intake/secrets") == (False, None)
    assert access.is_allowed("admin", frozenset(), "GET", "/api/v1/intake/secrets") == (True, None)


def test_allowed_needs_the_permission():
    assert access.is_allowed("commune", frozenset({"visits:read"}), "GET", "/api/v1/intake/visits")[0]
    assert not access.is_allowed("commune", frozenset({"visits:read"}), "POST", "/api/v1/intake/visits")[0]


def test_tables_only_use_the_vocabulary():
    vocabulary = set(access.PERMISSIONS)
    for _kind, _role, perms in access.ROLE_TABLE:
        assert set(perms) <= vocabulary
    for _methods, _pattern, perm in access.ROUTE_TABLE:
        assert perm in vocabulary


def test_officer_kinds():
    assert access.officer_kind("police", "police") == "police"
    assert access.officer_kind("police") == "police"
    assert {access.officer_kind(r, "department") for r in ("board", "inspector", "leader", "department")} == {
        "district"
    }
    # A commune's chairman is a commune caller (its own commune only), not a district leader.
    assert access.officer_kind("leader", "commune") == "commune"
    assert set(access.permissions_for("commune", ["leader"])) == set(access.permissions_for("commune"))
    with pytest.raises(KeyError):
        access.officer_kind("janitor", "board")


def test_readme_publishes_the_current_tables():
    text = README.read_text(encoding="utf-8")
    published = text[text.index(README_START) + len(README_START) : text.index(README_END)]
    assert published.strip() == access.access_markdown().strip(), (
        "README.md is stale: run `tiepdan-gateway-admin access-table --write gateway/README.md`"
    )


def test_access_table_command_prints_and_updates(tmp_path):
    runner = CliRunner()
    printed = runner.invoke(main, ["access-table"])
    assert printed.exit_code == 0
    assert "| GET | `/api/v1/intake/visits` | `visits:read` |" in printed.output
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{README_START}\nold\n{README_END}\nrest\n", encoding="utf-8")
    updated = runner.invoke(main, ["access-table", "--write", str(readme)])
    assert updated.exit_code == 0, updated.output
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text and "rest" in text and access.route_table_markdown() in text
