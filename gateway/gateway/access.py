"""Who may do what: the role table and the route table, kept as data in this one module.

* :data:`ROLE_TABLE` gives the permissions of each kind of caller, and of each
  role within a kind. A caller holds the union of its kind's permissions and
  the permissions of each of its roles.
* :data:`ROUTE_TABLE` gives, for each route proxied to a service, the
  permission a caller needs. A route that is not in the table is refused
  (403) for everyone but the ``admin`` kind.

Route patterns are paths under ``/api/v1/<service>/``:
``{name}`` matches one path segment, a trailing ``/**`` matches the rest of
the path (nothing, or any number of segments). ``HEAD`` is checked as ``GET``.

Both tables are published in ``README.md``; regenerate it with
``tiepdan-gateway-admin access-table --write README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# --------------------------------------------------------------------------- vocabulary

PERMISSIONS: tuple[str, ...] = (
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
)

ALL_READS: tuple[str, ...] = tuple(p for p in PERMISSIONS if p.endswith(":read"))

_BOARD: tuple[str, ...] = (
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
        ("visits:read", "petitions:read", "petitions:write", "cases:read", "roster:read", "inbox:read"),
    ),
    (
        "commune",
        None,
        ("visits:read", "visits:write", "petitions:read", "petitions:write", "cases:read", "roster:read", "inbox:read"),
    ),
    (
        "police",
        None,
        ("incidents:read", "incidents:write", "alerts:read", "alerts:ack", "cases:read", "roster:read", "inbox:read"),
    ),
    ("province", None, ("province_requests:read", "province_requests:write", "cases:read")),
    ("admin", None, PERMISSIONS),
    ("service", None, ("roster:read",)),
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

_WRITE_METHODS = "POST PUT PATCH DELETE"

# (methods separated by spaces, path pattern, permission needed)
ROUTE_TABLE: list[tuple[str, str, str]] = [
    ("GET", "/api/v1/intake/visits", "visits:read"),
    ("GET", "/api/v1/intake/visits/{id}", "visits:read"),
    ("POST", "/api/v1/intake/visits", "visits:write"),
    ("GET", "/api/v1/roster/agencies/**", "roster:read"),
    ("GET", "/api/v1/roster/officers/**", "roster:read"),
    ("GET", "/api/v1/roster/shifts/**", "roster:read"),
    ("GET", "/api/v1/roster/on-duty/**", "roster:read"),
    (_WRITE_METHODS, "/api/v1/roster/**", "roster:write"),
    ("GET", "/api/v1/escalation/cases/**", "cases:read"),
    ("POST", "/api/v1/escalation/cases/**", "cases:write"),
    ("GET", "/api/v1/notify/inbox/**", "inbox:read"),
    ("POST", "/api/v1/notify/inbox/{id}/read", "inbox:read"),
    ("POST", "/api/v1/notify/inbox/{id}/ack", "inbox:read"),
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
        if segment.startswith("{") and segment.endswith("}"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(segment))
    regex = "/".join(parts) + ("(?:/.*)?" if rest else "/?")
    return re.compile(regex + r"\Z")


_COMPILED: list[tuple[frozenset[str], re.Pattern[str], str]] = [
    (frozenset(methods.split()), _compile(pattern), perm) for methods, pattern, perm in ROUTE_TABLE
]


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


def access_markdown() -> str:
    """Both tables, as published in the README."""
    return (
        "### Roles\n\n"
        + role_table_markdown()
        + "\n\n### Routes\n\n"
        + "Any route not listed is refused (403) for everyone but `admin`. "
        + "`{id}` is one path segment, `/**` is the rest of the path. `HEAD` needs what `GET` needs.\n\n"
        + route_table_markdown()
        + "\n"
    )
