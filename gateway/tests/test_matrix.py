"""Every kind of caller against every route: allowed or refused exactly as intended.

The cases come from two sides that must agree:

* :data:`EXPECTED` is written out here by hand, route by route, naming who may
  call it (it does not look at ``access.py``);
* the tables of ``access.py`` (:data:`access.ROUTE_TABLE`, :data:`access.ROLE_TABLE`).

A route in one and not in the other fails, and so does a caller allowed by one
and refused by the other. The same matrix is then run through a live gateway.
The module is long because the expected matrix is written out by hand, one line per route.
"""

from __future__ import annotations

import re

import pytest

from gateway import access
from gateway.app import create_app

# Every kind of caller (and district role) the gateway knows.
CALLERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "board": ("district", ("board",)),
    "inspector": ("district", ("inspector",)),
    "leader": ("district", ("leader",)),
    "department": ("district", ("department",)),
    "commune": ("commune", ()),
    "police": ("police", ()),
    "province": ("province", ()),
    "admin": ("admin", ()),
    "service": ("service", ()),
}
DISTRICT = "board inspector leader department"

# Who may do what, by the domain (docs/domain.md): written out here, not taken from access.py.
READ_REGISTER = f"{DISTRICT} commune admin"  # visits and petitions: the district and the communes
# Reference data (units, fields, holidays, rules): whoever reads the register, and the services (roster's catch-up).
REFERENCE_READERS = f"{DISTRICT} commune admin service"
WRITE_VISITS = "board inspector commune admin"  # the reception board (and its inspectors), the communes
WRITE_PETITIONS = "board inspector department commune admin"  # departments handle petitions too
AUDITORS = "inspector leader admin"
ROSTER_READERS = f"{DISTRICT} commune police admin service"  # everyone but the province
ROSTER_EDITORS = "board inspector admin"
CASE_READERS = f"{DISTRICT} commune police province admin"
CASE_WORKERS = "board inspector leader admin"
HOTSPOT_READERS = "board inspector leader police admin"  # the police too: no identity, no desk notes
INCIDENT_READERS = "board inspector leader police admin"
POLICE = "police admin"
PROVINCE_READERS = "board inspector leader province admin"
PROVINCE_WRITERS = "board inspector province admin"
INBOX = f"{DISTRICT} commune police province admin"  # the province reads what is pushed to it
DELIVERY_READERS = "board inspector leader admin"
ADMIN = "admin"
EVERYONE = " ".join(CALLERS)

# (methods, pattern) -> who may call it.
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/intake/visits"): READ_REGISTER,
    ("POST", "/api/v1/intake/visits"): WRITE_VISITS,
    ("GET", "/api/v1/intake/visits/export"): READ_REGISTER,
    ("GET", "/api/v1/intake/visits/statistics"): READ_REGISTER,
    ("GET", "/api/v1/intake/visits/{id}"): READ_REGISTER,
    ("PATCH", "/api/v1/intake/visits/{id}"): WRITE_VISITS,
    ("GET", "/api/v1/intake/visits/{id}/history"): READ_REGISTER,
    ("POST", "/api/v1/intake/visits/{id}/void"): WRITE_VISITS,
    ("POST", "/api/v1/intake/visits/find-citizen"): READ_REGISTER,
    ("GET", "/api/v1/intake/units"): REFERENCE_READERS,
    ("GET", "/api/v1/intake/unit-successions"): REFERENCE_READERS,
    ("GET", "/api/v1/intake/fields"): REFERENCE_READERS,
    ("GET", "/api/v1/intake/holidays"): REFERENCE_READERS,
    ("GET", "/api/v1/intake/calendar-years"): REFERENCE_READERS,
    ("GET", "/api/v1/intake/legal-rules"): REFERENCE_READERS,
    ("GET", "/api/v1/intake/official/periods"): READ_REGISTER,
    ("GET", "/api/v1/intake/official/register"): READ_REGISTER,
    ("PUT", "/api/v1/intake/official/visits/{id}/reception-kind"): WRITE_VISITS,
    ("GET", "/api/v1/intake/official/petitions-book"): READ_REGISTER,
    ("GET", "/api/v1/intake/official/national-export"): READ_REGISTER,
    ("GET", "/api/v1/intake/official/reports/{form}"): READ_REGISTER,
    ("GET", "/api/v1/intake/petitions"): READ_REGISTER,
    ("POST", "/api/v1/intake/petitions"): WRITE_PETITIONS,
    ("POST", "/api/v1/intake/petitions/repeat-check"): READ_REGISTER,
    ("GET", "/api/v1/intake/petitions/export"): READ_REGISTER,
    ("GET", "/api/v1/intake/petitions/statistics"): READ_REGISTER,
    ("GET", "/api/v1/intake/petitions/{id}"): READ_REGISTER,
    ("PATCH", "/api/v1/intake/petitions/{id}"): WRITE_PETITIONS,
    ("POST", "/api/v1/intake/petitions/{id}/handlers"): WRITE_PETITIONS,
    ("POST", "/api/v1/intake/petitions/{id}/repeat"): WRITE_PETITIONS,
    ("POST", "/api/v1/intake/petitions/{id}/steps"): WRITE_PETITIONS,
    ("POST", "/api/v1/intake/petitions/{id}/void"): WRITE_PETITIONS,
    ("GET", "/api/v1/intake/matters/{key}"): READ_REGISTER,
    ("POST", "/api/v1/intake/petitions/{id}/decisions"): WRITE_PETITIONS,
    ("POST", "/api/v1/intake/petitions/{id}/citizen-informed"): WRITE_PETITIONS,
    ("POST", "/api/v1/intake/petitions/{id}/resolution"): WRITE_PETITIONS,
    ("POST", "/api/v1/intake/petitions/{id}/images"): WRITE_PETITIONS,
    ("GET", "/api/v1/intake/petitions/{id}/images/{image_id}"): READ_REGISTER,
    ("GET", "/api/v1/intake/identity-reads"): AUDITORS,
    ("GET", "/api/v1/roster/agencies"): ROSTER_READERS,
    ("POST", "/api/v1/roster/agencies"): ROSTER_EDITORS,
    ("PATCH", "/api/v1/roster/agencies/{code}"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/officers"): ROSTER_READERS,
    ("POST", "/api/v1/roster/officers"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/officers/{code}"): ROSTER_READERS,
    ("PATCH", "/api/v1/roster/officers/{code}"): ROSTER_EDITORS,
    ("PUT", "/api/v1/roster/officers/{code}/channels"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/shifts"): ROSTER_READERS,
    ("GET", "/api/v1/roster/shifts/{id}"): ROSTER_READERS,
    ("POST", "/api/v1/roster/shifts/{id}/assignments"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/on-duty"): ROSTER_READERS,
    ("GET", "/api/v1/roster/on-duty/next"): ROSTER_READERS,
    ("GET", "/api/v1/roster/on-call"): ROSTER_READERS,
    ("GET", "/api/v1/roster/holidays"): ROSTER_READERS,
    ("GET", "/api/v1/roster/periods"): ROSTER_READERS,
    ("POST", "/api/v1/roster/periods"): ROSTER_EDITORS,
    ("POST", "/api/v1/roster/periods/{code}/generate"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/requirements"): ROSTER_READERS,
    ("PUT", "/api/v1/roster/requirements/{shift_kind}/{duty_role}"): ROSTER_EDITORS,
    ("PUT DELETE", "/api/v1/roster/assignments/{id}"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/leave"): ROSTER_READERS,
    ("DELETE", "/api/v1/roster/leave/{id}"): ROSTER_EDITORS,
    ("POST", "/api/v1/roster/officers/{code}/leave"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/swaps"): ROSTER_READERS,
    # Officers ask, accept, reject and cancel swaps of their own duty (roster checks whose); the board approves.
    ("POST", "/api/v1/roster/swaps"): ROSTER_READERS,
    ("POST", "/api/v1/roster/swaps/{id}/accept"): ROSTER_READERS,
    ("POST", "/api/v1/roster/swaps/{id}/reject"): ROSTER_READERS,
    ("POST", "/api/v1/roster/swaps/{id}/cancel"): ROSTER_READERS,
    ("POST", "/api/v1/roster/swaps/{id}/approve"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/coverage"): ROSTER_READERS,
    ("POST", "/api/v1/roster/coverage/check"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/reception-days"): ROSTER_READERS,
    ("POST", "/api/v1/roster/reception-days"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/reception-days/compliance"): ROSTER_READERS,
    ("DELETE", "/api/v1/roster/reception-days/{id}"): ROSTER_EDITORS,
    ("GET", "/api/v1/roster/audit"): AUDITORS,
    ("GET", "/api/v1/roster/exports/roster.xlsx"): ROSTER_READERS,
    ("GET", "/api/v1/roster/exports/roster.html"): ROSTER_READERS,
    ("POST", "/api/v1/roster/calendar-feeds"): ROSTER_READERS,  # a feed of one's own duty
    ("DELETE", "/api/v1/roster/calendar-feeds/{id}"): ROSTER_EDITORS,
    ("GET", "/api/v1/escalation/cases"): CASE_READERS,
    ("POST", "/api/v1/escalation/cases"): CASE_WORKERS,
    ("GET", "/api/v1/escalation/cases/report"): CASE_READERS,
    ("GET", "/api/v1/escalation/cases/{id}"): CASE_READERS,
    ("GET", "/api/v1/escalation/cases/{id}/escalation"): CASE_READERS,
    ("POST", "/api/v1/escalation/cases/{id}/acknowledge"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/cases/{id}/progress"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/cases/{id}/update"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/cases/{id}/close"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/cases/{id}/reopen"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/cases/{id}/merge"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/cases/{id}/links"): CASE_WORKERS,
    ("DELETE", "/api/v1/escalation/cases/{id}/links/{other_id}"): CASE_WORKERS,
    ("GET", "/api/v1/escalation/cases/{id}/tasks"): CASE_READERS,
    ("POST", "/api/v1/escalation/cases/{id}/tasks"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/cases/{id}/tasks/{task_id}/done"): CASE_WORKERS,
    ("GET", "/api/v1/escalation/cases/{id}/dialogues"): CASE_READERS,
    ("POST", "/api/v1/escalation/cases/{id}/dialogues"): CASE_WORKERS,
    ("GET", "/api/v1/escalation/cases/{id}/dialogues/{dialogue_id}"): CASE_READERS,
    ("POST", "/api/v1/escalation/cases/{id}/dialogues/{dialogue_id}"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/cases/{id}/dialogues/{dialogue_id}/record"): CASE_WORKERS,
    ("GET", "/api/v1/escalation/cases/{id}/plan363"): CASE_READERS,
    ("PUT", "/api/v1/escalation/cases/{id}/plan363"): CASE_WORKERS,
    ("GET", "/api/v1/escalation/reports/daily-summary"): CASE_READERS,
    ("GET", "/api/v1/escalation/policies"): CASE_READERS,
    ("PUT DELETE", "/api/v1/escalation/policies/{name}"): ADMIN,
    ("GET", "/api/v1/escalation/hotspots"): HOTSPOT_READERS,
    ("PUT DELETE", "/api/v1/escalation/hotspots/rules/{name}"): ADMIN,
    ("GET", "/api/v1/escalation/hotspots/{id}"): HOTSPOT_READERS,
    ("POST", "/api/v1/escalation/hotspots/{id}"): CASE_WORKERS,
    ("GET", "/api/v1/escalation/incidents"): INCIDENT_READERS,
    ("POST", "/api/v1/escalation/incidents"): POLICE,
    ("GET", "/api/v1/escalation/incidents/{id}"): INCIDENT_READERS,
    ("POST", "/api/v1/escalation/incidents/{id}"): POLICE,
    ("POST", "/api/v1/escalation/incidents/{id}/close"): POLICE,
    ("GET", "/api/v1/escalation/alerts"): INCIDENT_READERS,
    ("POST", "/api/v1/escalation/alerts/{id}/ack"): POLICE,
    ("GET", "/api/v1/escalation/province-requests"): PROVINCE_READERS,
    ("POST", "/api/v1/escalation/province-requests"): PROVINCE_WRITERS,
    ("GET", "/api/v1/escalation/province-requests/{id}"): PROVINCE_READERS,
    ("POST", "/api/v1/escalation/province-requests/{id}/assign"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/province-requests/{id}/dispatch"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/province-requests/{id}/complete"): CASE_WORKERS,
    ("POST", "/api/v1/escalation/province-requests/{id}/returned"): CASE_WORKERS,
    ("GET", "/api/v1/notify/inbox"): INBOX,
    ("POST", "/api/v1/notify/inbox/{id}/read"): INBOX,
    ("POST", "/api/v1/notify/inbox/{id}/ack"): INBOX,
    ("GET", "/api/v1/notify/deliveries"): DELIVERY_READERS,
    ("GET", "/api/v1/notify/deliveries/{id}"): DELIVERY_READERS,
    ("POST", "/api/v1/notify/deliveries/{id}/retry"): ADMIN,
    ("GET", "/api/v1/notify/rules"): DELIVERY_READERS,
    ("PUT", "/api/v1/notify/rules/{name}"): ADMIN,
    # An officer's own escalation ladder (notify checks whose).
    ("GET", "/api/v1/notify/ladders/{recipient}"): INBOX,
    ("PUT", "/api/v1/notify/ladders/{recipient}/{urgency}"): INBOX,
    ("GET", "/api/v1/notify/lists"): DELIVERY_READERS,
    ("GET", "/api/v1/notify/lists/{name}"): DELIVERY_READERS,
    ("PUT", "/api/v1/notify/lists/{name}"): ADMIN,
    ("GET", "/api/v1/notify/messages"): DELIVERY_READERS,
    ("GET", "/api/v1/notify/notices"): DELIVERY_READERS,
    ("GET", "/api/v1/notify/notices/{id}"): DELIVERY_READERS,
    ("POST", "/api/v1/notify/notices"): "board inspector admin",  # notices:write: the reception board
}

# Open to everyone without a token (the service checks a secret or a signature).
EXPECTED_PUBLIC = {
    ("GET", "/api/v1/roster/calendar/{feed_id}/{secret}.ics"),
    ("GET POST", "/api/v1/notify/ack/{token}"),
    ("POST", "/api/v1/notify/sms/inbound"),
}


def sample_path(pattern: str) -> str:
    """A concrete path the pattern matches: ``{x}`` becomes ``7``, ``/**`` the pattern's own prefix."""
    path = pattern.removesuffix("/**")
    return re.sub(r"\{[^}]+\}", "7", path)


def cases() -> list[tuple[str, str, str, str, bool]]:
    """(caller, method, path, pattern, allowed) for every caller, route and method."""
    out = []
    for (methods, pattern), who in EXPECTED.items():
        allowed = set(who.split())
        for method in methods.split():
            for path in {sample_path(pattern), sample_path(pattern) + ("/7/x" if pattern.endswith("/**") else "")}:
                for caller in CALLERS:
                    out.append((caller, method, path, pattern, caller in allowed))
    return out


def test_expected_matrix_names_known_callers_only():
    for who in EXPECTED.values():
        assert set(who.split()) <= set(CALLERS), who


def test_every_table_route_is_in_the_expected_matrix_and_back():
    table = [(methods, pattern) for methods, pattern, _perm in access.ROUTE_TABLE]
    assert len(table) == len(set(table)), "a route is listed twice"
    assert set(table) == set(EXPECTED)
    assert set(access.PUBLIC_ROUTES) == EXPECTED_PUBLIC


def test_no_route_is_shadowed_by_an_earlier_one():
    for methods, pattern, perm in access.ROUTE_TABLE:
        for method in methods.split():
            assert access.required_permission(method, sample_path(pattern)) == perm, (method, pattern)


def test_public_routes_are_not_in_the_route_table():
    for methods, pattern in access.PUBLIC_ROUTES:
        for method in methods.split():
            assert access.is_public(method, sample_path(pattern))
            assert access.required_permission(method, sample_path(pattern)) is None


def test_every_kind_of_caller_is_covered():
    kinds = {kind for kind, _role, _perms in access.ROLE_TABLE}
    district_roles = {role for kind, role, _perms in access.ROLE_TABLE if kind == "district"}
    assert kinds == {kind for kind, _roles in CALLERS.values()}
    assert district_roles == {roles[0] for kind, roles in CALLERS.values() if kind == "district"}


def _by_route() -> dict[tuple[str, str], list[tuple[str, str, bool]]]:
    grouped: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}
    for caller, method, path, pattern, allowed in cases():
        grouped.setdefault((method, pattern), []).append((caller, path, allowed))
    return grouped


@pytest.mark.parametrize(("method", "pattern"), list(_by_route()))
def test_tables_allow_exactly_the_expected_callers(method, pattern):
    wrong = []
    for caller, path, allowed in _by_route()[(method, pattern)]:
        kind, roles = CALLERS[caller]
        got, permission = access.is_allowed(kind, frozenset(access.permissions_for(kind, roles)), method, path)
        if got != allowed:
            wrong.append(f"{caller} {method} {path}: {'allowed' if got else 'refused'} (permission {permission})")
    assert not wrong, "\n".join(wrong)


def test_head_follows_get():
    for (methods, pattern), _who in EXPECTED.items():
        if "GET" in methods.split():
            path = sample_path(pattern)
            assert access.required_permission("HEAD", path) == access.required_permission("GET", path)


def test_routes_outside_the_table_are_for_admin_only():
    for caller, (kind, roles) in CALLERS.items():
        perms = frozenset(access.permissions_for(kind, roles))
        got, _ = access.is_allowed(kind, perms, "GET", "/api/v1/intake/no-such-thing")
        assert got == (caller == "admin")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_live_gateway_enforces_the_matrix(make_client, gateway_settings, accounts):
    secrets = {}
    for caller, (kind, roles) in CALLERS.items():
        client_id = f"matrix-{caller}"
        accounts.create_client(
            client_id, kind=kind, display_name=client_id, unit="947", roles=roles, secret=f"s-{caller}"
        )
        secrets[caller] = (client_id, f"s-{caller}")
    limits = {kind: 0 for kind, _roles in CALLERS.values()}  # no rate limit in this test
    import dataclasses

    client = await make_client(create_app(dataclasses.replace(gateway_settings, rate_limits=limits)))
    tokens = {}
    for caller, (client_id, secret) in secrets.items():
        resp = await client.post(
            "/api/v1/auth/token",
            json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        assert resp.status == 200, await resp.text()
        tokens[caller] = (await resp.json())["access_token"]
    wrong = []
    for caller, method, path, pattern, allowed in cases():
        resp = await client.request(
            method, path, headers={"Authorization": f"Bearer {tokens[caller]}"}, json={} if method != "GET" else None
        )
        await resp.read()
        if (resp.status != 403) != allowed or resp.status in (401, 404, 429):
            wrong.append(f"{caller} {method} {path} ({pattern}): {resp.status}")
    assert not wrong, "\n".join(wrong)
