"""Who may do what: the role table and the route table, kept as data in this one module.

The module is long because the tables are written out in it, one line per route, beside the few functions
that compile and render them: one place to read and review who may call what.

* :data:`ROLE_TABLE` gives the permissions of each kind of caller, and of each
  role within a kind. A caller holds the union of its kind's permissions and
  the permissions of each of its roles.
* :data:`ROUTE_TABLE` gives, for each route proxied to a service, the
  permission a caller needs. A route that is not in the table is refused
  (403) for everyone but the ``admin`` kind.

* :data:`PUBLIC_ROUTES` lists the routes reachable without a token, because
  their callers (a calendar app, a link in an e-mail, an SMS provider) prove
  who they are with a secret in the URL or a signature that the service checks.
  The gateway forwards them with an anonymous identity (subject ``anonymous``,
  kind ``service``, no permissions) and limits them per IP address.

Route patterns are paths under ``/api/v1/<service>/``:
``{name}`` matches one path segment or the part of one (``{id}.ics``), a
trailing ``/**`` matches the rest of the path (nothing, or any number of
segments). ``HEAD`` is checked as ``GET``.

Both tables are published in ``README.md``; regenerate it with
``tiepdan-gateway-admin access-table --write README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# --------------------------------------------------------------------------- vocabulary

PERMISSIONS: tuple[str, ...] = (
    # Reference data (units, fields, holidays, legal rules): public knowledge, no visit behind it.
    "reference:read",
    "visits:read",
    "visits:write",
    "petitions:read",
    "petitions:write",
    "identity:read",
    "audit:read",
    "roster:read",
    "roster:write",
    "cases:read",
    "cases:write",
    "hotspots:read",
    "incidents:read",
    "incidents:write",
    "alerts:read",
    "alerts:ack",
    "province_requests:read",
    "province_requests:write",
    "inbox:read",
    "deliveries:read",
    "rules:write",
    "notices:write",
)

ALL_READS: tuple[str, ...] = tuple(p for p in PERMISSIONS if p.endswith(":read"))

_BOARD: tuple[str, ...] = (
    "reference:read",
    "visits:read",
    "visits:write",
    "petitions:read",
    "petitions:write",
    "roster:read",
    "roster:write",
    "cases:read",
    "cases:write",
    "hotspots:read",
    "incidents:read",
    "alerts:read",
    "province_requests:read",
    "province_requests:write",
    "inbox:read",
    "deliveries:read",
    # The board sends notices and reports to the plan's distribution list (Nơi nhận) and sees who got them.
    "notices:write",
)

# --------------------------------------------------------------------------- role table

# (kind, role or None for every caller of that kind, permissions)
ROLE_TABLE: list[tuple[str, str | None, tuple[str, ...]]] = [
    ("district", "board", _BOARD),
    ("district", "inspector", (*_BOARD, "identity:read", "audit:read")),
    ("district", "leader", (*ALL_READS, "cases:write")),
    (
        "district",
        "department",
        (
            "reference:read",
            "visits:read",
            "petitions:read",
            "petitions:write",
            "cases:read",
            "roster:read",
            "inbox:read",
        ),
    ),
    (
        "commune",
        None,
        (
            "reference:read",
            "visits:read",
            "visits:write",
            "petitions:read",
            "petitions:write",
            "cases:read",
            "roster:read",
            "inbox:read",
        ),
    ),
    (
        "police",
        None,
        # Hot spots too (issue 20): escalation answers the police without the desk's free text or any identity.
        (
            "incidents:read",
            "incidents:write",
            "alerts:read",
            "alerts:ack",
            "cases:read",
            "roster:read",
            "inbox:read",
            "hotspots:read",
        ),
    ),
    # The province reads and acknowledges what notify pushes to its inbox (status changes of its requests).
    ("province", None, ("province_requests:read", "province_requests:write", "cases:read", "inbox:read")),
    ("admin", None, PERMISSIONS),
    # Services ask roster who is on duty, and intake's reference data (roster's calendar catch-up).
    ("service", None, ("reference:read", "roster:read")),
]

# The kind an officer account gets from its role in the demo data / roster ...
OFFICER_ROLE_KINDS: dict[str, str] = {
    "board": "district",
    "inspector": "district",
    "leader": "district",
    "department": "district",
    "police": "police",
}
# ... unless its agency is itself of a kind of caller: a commune's chairman is a commune, not a district leader.
AGENCY_CALLER_KINDS: frozenset[str] = frozenset({"commune", "police", "province"})

# --------------------------------------------------------------------------- route table

# (methods separated by spaces, path pattern, permission needed), one line per endpoint of the services
# (their views.py: Blueprint url_prefix + route). A read needs the ``:read`` permission of the thing, a
# write its ``:write``, except where the service lets readers act on their own things (noted).
ROUTE_TABLE: list[tuple[str, str, str]] = [
    # intake: visits
    ("GET", "/api/v1/intake/visits", "visits:read"),
    ("POST", "/api/v1/intake/visits", "visits:write"),
    ("GET", "/api/v1/intake/visits/export", "visits:read"),
    ("GET", "/api/v1/intake/visits/statistics", "visits:read"),
    ("GET", "/api/v1/intake/visits/{id}", "visits:read"),
    ("PATCH", "/api/v1/intake/visits/{id}", "visits:write"),
    ("GET", "/api/v1/intake/visits/{id}/history", "visits:read"),
    ("POST", "/api/v1/intake/visits/{id}/void", "visits:write"),
    ("POST", "/api/v1/intake/visits/find-citizen", "visits:read"),  # a question, changes nothing
    # intake: reference data, public knowledge (not the administrators' audit of it, /reference-changes)
    ("GET", "/api/v1/intake/units", "reference:read"),
    ("GET", "/api/v1/intake/unit-successions", "reference:read"),
    ("GET", "/api/v1/intake/fields", "reference:read"),
    ("GET", "/api/v1/intake/holidays", "reference:read"),
    ("GET", "/api/v1/intake/calendar-years", "reference:read"),
    ("GET", "/api/v1/intake/legal-rules", "reference:read"),
    # (changes to reference data are the admin's alone: not in this table, and refused by intake too)
    # intake: the official books and reports
    ("GET", "/api/v1/intake/official/periods", "visits:read"),
    ("GET", "/api/v1/intake/official/register", "visits:read"),
    ("PUT", "/api/v1/intake/official/visits/{id}/reception-kind", "visits:write"),
    ("GET", "/api/v1/intake/official/petitions-book", "petitions:read"),
    ("GET", "/api/v1/intake/official/national-export", "petitions:read"),
    ("GET", "/api/v1/intake/official/reports/{form}", "petitions:read"),
    # intake: petitions
    ("GET", "/api/v1/intake/petitions", "petitions:read"),
    ("POST", "/api/v1/intake/petitions", "petitions:write"),
    ("POST", "/api/v1/intake/petitions/repeat-check", "petitions:read"),  # a question, changes nothing
    ("GET", "/api/v1/intake/petitions/export", "petitions:read"),
    ("GET", "/api/v1/intake/petitions/statistics", "petitions:read"),
    ("GET", "/api/v1/intake/petitions/{id}", "petitions:read"),
    ("PATCH", "/api/v1/intake/petitions/{id}", "petitions:write"),
    ("POST", "/api/v1/intake/petitions/{id}/handlers", "petitions:write"),
    ("POST", "/api/v1/intake/petitions/{id}/repeat", "petitions:write"),
    ("POST", "/api/v1/intake/petitions/{id}/steps", "petitions:write"),
    ("POST", "/api/v1/intake/petitions/{id}/void", "petitions:write"),
    ("GET", "/api/v1/intake/matters/{key}", "petitions:read"),
    ("POST", "/api/v1/intake/petitions/{id}/decisions", "petitions:write"),
    ("POST", "/api/v1/intake/petitions/{id}/citizen-informed", "petitions:write"),
    ("POST", "/api/v1/intake/petitions/{id}/resolution", "petitions:write"),
    ("POST", "/api/v1/intake/petitions/{id}/images", "petitions:write"),
    ("GET", "/api/v1/intake/petitions/{id}/images/{image_id}", "petitions:read"),
    # intake: who read a denouncer's identity
    ("GET", "/api/v1/intake/identity-reads", "audit:read"),
    # roster: directory
    ("GET", "/api/v1/roster/agencies", "roster:read"),
    ("POST", "/api/v1/roster/agencies", "roster:write"),
    ("PATCH", "/api/v1/roster/agencies/{code}", "roster:write"),
    ("GET", "/api/v1/roster/officers", "roster:read"),
    ("POST", "/api/v1/roster/officers", "roster:write"),
    ("GET", "/api/v1/roster/officers/{code}", "roster:read"),
    ("PATCH", "/api/v1/roster/officers/{code}", "roster:write"),
    ("PUT", "/api/v1/roster/officers/{code}/channels", "roster:write"),
    # roster: duty
    ("GET", "/api/v1/roster/shifts", "roster:read"),
    ("GET", "/api/v1/roster/shifts/{id}", "roster:read"),
    ("POST", "/api/v1/roster/shifts/{id}/assignments", "roster:write"),
    ("GET", "/api/v1/roster/on-duty", "roster:read"),
    ("GET", "/api/v1/roster/on-duty/next", "roster:read"),
    ("GET", "/api/v1/roster/on-call", "roster:read"),
    ("GET", "/api/v1/roster/holidays", "roster:read"),
    # roster: editing (periods, requirements, overrides)
    ("GET", "/api/v1/roster/periods", "roster:read"),
    ("POST", "/api/v1/roster/periods", "roster:write"),
    ("POST", "/api/v1/roster/periods/{code}/generate", "roster:write"),
    ("GET", "/api/v1/roster/requirements", "roster:read"),
    ("PUT", "/api/v1/roster/requirements/{shift_kind}/{duty_role}", "roster:write"),
    ("PUT DELETE", "/api/v1/roster/assignments/{id}", "roster:write"),
    # roster: leave
    ("GET", "/api/v1/roster/leave", "roster:read"),
    ("DELETE", "/api/v1/roster/leave/{id}", "roster:write"),
    ("POST", "/api/v1/roster/officers/{code}/leave", "roster:write"),
    # roster: swaps (an officer asks, accepts, rejects, cancels their own: the service checks who; approval)
    ("GET", "/api/v1/roster/swaps", "roster:read"),
    ("POST", "/api/v1/roster/swaps", "roster:read"),
    ("POST", "/api/v1/roster/swaps/{id}/accept", "roster:read"),
    ("POST", "/api/v1/roster/swaps/{id}/reject", "roster:read"),
    ("POST", "/api/v1/roster/swaps/{id}/cancel", "roster:read"),
    ("POST", "/api/v1/roster/swaps/{id}/approve", "roster:write"),
    # roster: coverage, reception days, audit trail
    ("GET", "/api/v1/roster/coverage", "roster:read"),
    ("POST", "/api/v1/roster/coverage/check", "roster:write"),
    ("GET", "/api/v1/roster/reception-days", "roster:read"),
    ("POST", "/api/v1/roster/reception-days", "roster:write"),
    ("GET", "/api/v1/roster/reception-days/compliance", "roster:read"),
    ("DELETE", "/api/v1/roster/reception-days/{id}", "roster:write"),
    ("GET", "/api/v1/roster/audit", "audit:read"),
    # roster: exports and calendar feeds (an officer makes a feed of their own duty; the service checks whose)
    ("GET", "/api/v1/roster/exports/roster.xlsx", "roster:read"),
    ("GET", "/api/v1/roster/exports/roster.html", "roster:read"),
    ("POST", "/api/v1/roster/calendar-feeds", "roster:read"),
    ("DELETE", "/api/v1/roster/calendar-feeds/{id}", "roster:write"),
    # escalation: cases, dialogues, reports
    ("GET", "/api/v1/escalation/cases", "cases:read"),
    ("POST", "/api/v1/escalation/cases", "cases:write"),
    ("GET", "/api/v1/escalation/cases/report", "cases:read"),
    ("GET", "/api/v1/escalation/cases/{id}", "cases:read"),
    ("GET", "/api/v1/escalation/cases/{id}/escalation", "cases:read"),
    ("POST", "/api/v1/escalation/cases/{id}/acknowledge", "cases:write"),
    ("POST", "/api/v1/escalation/cases/{id}/progress", "cases:write"),
    ("POST", "/api/v1/escalation/cases/{id}/update", "cases:write"),
    ("POST", "/api/v1/escalation/cases/{id}/close", "cases:write"),
    ("POST", "/api/v1/escalation/cases/{id}/reopen", "cases:write"),
    ("POST", "/api/v1/escalation/cases/{id}/merge", "cases:write"),
    ("POST", "/api/v1/escalation/cases/{id}/links", "cases:write"),
    ("DELETE", "/api/v1/escalation/cases/{id}/links/{other_id}", "cases:write"),
    ("GET", "/api/v1/escalation/cases/{id}/tasks", "cases:read"),
    ("POST", "/api/v1/escalation/cases/{id}/tasks", "cases:write"),
    ("POST", "/api/v1/escalation/cases/{id}/tasks/{task_id}/done", "cases:write"),
    ("GET", "/api/v1/escalation/cases/{id}/dialogues", "cases:read"),
    ("POST", "/api/v1/escalation/cases/{id}/dialogues", "cases:write"),
    ("GET", "/api/v1/escalation/cases/{id}/dialogues/{dialogue_id}", "cases:read"),
    ("POST", "/api/v1/escalation/cases/{id}/dialogues/{dialogue_id}", "cases:write"),
    ("POST", "/api/v1/escalation/cases/{id}/dialogues/{dialogue_id}/record", "cases:write"),
    ("GET", "/api/v1/escalation/cases/{id}/plan363", "cases:read"),
    ("PUT", "/api/v1/escalation/cases/{id}/plan363", "cases:write"),
    ("GET", "/api/v1/escalation/reports/daily-summary", "cases:read"),
    # escalation: policies (data), hot spots, incidents, alerts
    ("GET", "/api/v1/escalation/policies", "cases:read"),
    ("PUT DELETE", "/api/v1/escalation/policies/{name}", "rules:write"),
    ("GET", "/api/v1/escalation/hotspots", "hotspots:read"),
    ("PUT DELETE", "/api/v1/escalation/hotspots/rules/{name}", "rules:write"),
    ("GET", "/api/v1/escalation/hotspots/{id}", "hotspots:read"),
    ("POST", "/api/v1/escalation/hotspots/{id}", "cases:write"),
    ("GET", "/api/v1/escalation/incidents", "incidents:read"),
    ("POST", "/api/v1/escalation/incidents", "incidents:write"),
    ("GET", "/api/v1/escalation/incidents/{id}", "incidents:read"),
    ("POST", "/api/v1/escalation/incidents/{id}", "incidents:write"),
    ("POST", "/api/v1/escalation/incidents/{id}/close", "incidents:write"),
    ("GET", "/api/v1/escalation/alerts", "alerts:read"),
    ("POST", "/api/v1/escalation/alerts/{id}/ack", "alerts:ack"),
    # escalation: requests of the province (the province sends; the district handles them as cases)
    ("GET", "/api/v1/escalation/province-requests", "province_requests:read"),
    ("POST", "/api/v1/escalation/province-requests", "province_requests:write"),
    ("GET", "/api/v1/escalation/province-requests/{id}", "province_requests:read"),
    ("POST", "/api/v1/escalation/province-requests/{id}/assign", "cases:write"),
    ("POST", "/api/v1/escalation/province-requests/{id}/dispatch", "cases:write"),
    ("POST", "/api/v1/escalation/province-requests/{id}/complete", "cases:write"),
    ("POST", "/api/v1/escalation/province-requests/{id}/returned", "cases:write"),
    # notify: inbox, deliveries, rules and ladders (an officer's own ladder: the service checks whose)
    ("GET", "/api/v1/notify/inbox", "inbox:read"),
    ("POST", "/api/v1/notify/inbox/{id}/read", "inbox:read"),
    ("POST", "/api/v1/notify/inbox/{id}/ack", "inbox:read"),
    ("GET", "/api/v1/notify/deliveries", "deliveries:read"),
    ("GET", "/api/v1/notify/deliveries/{id}", "deliveries:read"),
    ("POST", "/api/v1/notify/deliveries/{id}/retry", "rules:write"),
    ("GET", "/api/v1/notify/rules", "deliveries:read"),
    ("PUT", "/api/v1/notify/rules/{name}", "rules:write"),
    ("GET", "/api/v1/notify/ladders/{recipient}", "inbox:read"),
    ("PUT", "/api/v1/notify/ladders/{recipient}/{urgency}", "inbox:read"),
    ("GET", "/api/v1/notify/lists", "deliveries:read"),
    ("GET", "/api/v1/notify/lists/{name}", "deliveries:read"),
    ("PUT", "/api/v1/notify/lists/{name}", "rules:write"),
    ("GET", "/api/v1/notify/messages", "deliveries:read"),
    ("GET", "/api/v1/notify/notices", "deliveries:read"),
    ("GET", "/api/v1/notify/notices/{id}", "deliveries:read"),
    ("POST", "/api/v1/notify/notices", "notices:write"),
]

# (methods separated by spaces, path pattern) open without a token: the service checks the secret or signature.
PUBLIC_ROUTES: list[tuple[str, str]] = [
    ("GET", "/api/v1/roster/calendar/{feed_id}/{secret}.ics"),
    ("GET POST", "/api/v1/notify/ack/{token}"),
    ("POST", "/api/v1/notify/sms/inbound"),
]

# --------------------------------------------------------------------------- lookups


def _check_tables() -> None:
    """Fail at import when a table names a permission outside the vocabulary."""
    known = set(PERMISSIONS)
    for kind, role, perms in ROLE_TABLE:
        unknown = set(perms) - known
        if unknown:
            raise ValueError(f"role table {kind}/{role}: unknown permissions {sorted(unknown)}")
    for methods, pattern, perm in ROUTE_TABLE:
        if perm not in known:
            raise ValueError(f"route table {methods} {pattern}: unknown permission {perm!r}")
        if not pattern.startswith("/api/v1/"):
            raise ValueError(f"route table {pattern}: patterns start with /api/v1/")
    for methods, pattern in PUBLIC_ROUTES:
        if not pattern.startswith("/api/v1/") or pattern.endswith("/**"):
            raise ValueError(f"public routes {methods} {pattern}: exact patterns under /api/v1/ only")


_check_tables()


def permissions_for(kind: str, roles: Iterable[str] = ()) -> tuple[str, ...]:
    """The permissions of a caller of ``kind`` holding ``roles``, in vocabulary order."""
    roles = set(roles)
    held: set[str] = set()
    for table_kind, role, perms in ROLE_TABLE:
        if table_kind == kind and (role is None or role in roles):
            held.update(perms)
    return tuple(p for p in PERMISSIONS if p in held)


def officer_kind(role: str, agency_kind: str | None = None) -> str:
    """The kind of caller an officer is, from the kind of its agency or else its role (KeyError if unknown)."""
    if agency_kind in AGENCY_CALLER_KINDS:
        return agency_kind
    return OFFICER_ROLE_KINDS[role]


def _compile(pattern: str) -> re.Pattern[str]:
    """A regular expression for a route pattern (see the module docstring)."""
    rest = pattern.endswith("/**")
    body = pattern[: -len("/**")] if rest else pattern
    parts = []
    for segment in body.split("/"):
        pieces = re.split(r"\{[A-Za-z_][A-Za-z0-9_]*\}", segment)
        parts.append("[^/]+".join(re.escape(piece) for piece in pieces))
    regex = "/".join(parts) + ("(?:/.*)?" if rest else "/?")
    return re.compile(regex + r"\Z")


_COMPILED: list[tuple[frozenset[str], re.Pattern[str], str]] = [
    (frozenset(methods.split()), _compile(pattern), perm) for methods, pattern, perm in ROUTE_TABLE
]


_PUBLIC: list[tuple[frozenset[str], re.Pattern[str]]] = [
    (frozenset(methods.split()), _compile(pattern)) for methods, pattern in PUBLIC_ROUTES
]


@lru_cache(maxsize=1024)
def is_public(method: str, path: str) -> bool:
    """Whether ``method path`` is open without a token (see :data:`PUBLIC_ROUTES`)."""
    method = "GET" if method == "HEAD" else method
    return any(method in methods and regex.match(path) for methods, regex in _PUBLIC)


@lru_cache(maxsize=8192)
def required_permission(method: str, path: str) -> str | None:
    """The permission needed for ``method path``; None when the route is not in the table."""
    method = "GET" if method == "HEAD" else method
    for methods, regex, perm in _COMPILED:
        if method in methods and regex.match(path):
            return perm
    return None


def is_allowed(kind: str, permissions: frozenset[str] | set[str], method: str, path: str) -> tuple[bool, str | None]:
    """Whether the caller may call ``method path``, and the permission the route needs."""
    perm = required_permission(method, path)
    if kind == "admin":
        return True, perm
    return (perm is not None and perm in permissions), perm


# --------------------------------------------------------------------------- documentation


def role_table_markdown() -> str:
    """The role table as a Markdown table."""
    lines = ["| kind | role | permissions |", "|---|---|---|"]
    for kind, role, perms in ROLE_TABLE:
        shown = "all" if perms == PERMISSIONS else ", ".join(f"`{p}`" for p in perms)
        lines.append(f"| {kind} | {role or '(any)'} | {shown} |")
    return "\n".join(lines)


def route_table_markdown() -> str:
    """The route table as a Markdown table."""
    lines = ["| method | path | permission |", "|---|---|---|"]
    for methods, pattern, perm in ROUTE_TABLE:
        lines.append(f"| {', '.join(methods.split())} | `{pattern}` | `{perm}` |")
    return "\n".join(lines)


def public_table_markdown() -> str:
    """The public routes as a Markdown table."""
    lines = ["| method | path |", "|---|---|"]
    for methods, pattern in PUBLIC_ROUTES:
        lines.append(f"| {', '.join(methods.split())} | `{pattern}` |")
    return "\n".join(lines)


def access_markdown() -> str:
    """Both tables, as published in the README."""
    return (
        "### Roles\n\n"
        + role_table_markdown()
        + "\n\n### Routes\n\n"
        + "Any route not listed is refused (403) for everyone but `admin`. "
        + "`{id}` is one path segment, `/**` is the rest of the path. `HEAD` needs what `GET` needs.\n\n"
        + route_table_markdown()
        + "\n\n### Public routes\n\n"
        + "Open without a token: the caller proves itself with a secret in the URL or a signature that the "
        + "service checks. Forwarded with the identity `anonymous` (kind `service`, no permissions), "
        + "limited per IP address.\n\n"
        + public_table_markdown()
        + "\n"
    )
