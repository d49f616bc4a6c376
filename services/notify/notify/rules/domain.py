"""Pure rule logic: does an event match a rule's conditions, is it urgent, which ladder steps apply.

Conditions are a mapping of dotted paths into the event's data to a test: a plain value (equal),
or one operator: ``{"in": [...]}``, ``{"not_in": [...]}``, ``{"gte": n}``, ``{"lte": n}``,
``{"exists": true}``, ``{"any_in": [...]}`` (a list holding any of these). A path through a list gives the
list of its items' values (``changes.kind``: the kind of every change). All must hold; no conditions match
every event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MISSING = object()
OPERATORS = ("in", "not_in", "gte", "lte", "exists", "eq", "ne", "any_in")


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` in ``data`` (or a sentinel when absent)."""
    value: Any = data
    for part in path.split("."):
        if isinstance(value, list):  # through a list: each item's value
            value = [item[part] for item in value if isinstance(item, Mapping) and part in item]
            continue
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _holds(value: Any, test: Any) -> bool:
    if isinstance(test, Mapping):
        ((op, arg),) = test.items()
        if op == "exists":
            return (value is not _MISSING and value is not None) == bool(arg)
        if value is _MISSING:
            return op == "not_in" or op == "ne"
        if op == "in":
            return value in arg
        if op == "not_in":
            return value not in arg
        if op == "eq":
            return value == arg
        if op == "ne":
            return value != arg
        if op == "any_in":
            return isinstance(value, list) and any(item in arg for item in value)
        if value is None:
            return False
        if op == "gte":
            return value >= arg
        if op == "lte":
            return value <= arg
        raise ValueError(f"unknown operator {op!r}")
    return value is not _MISSING and value == test


def matches(conditions: Mapping[str, Any] | None, data: Mapping[str, Any]) -> bool:
    """True when every condition holds for ``data``."""
    return all(_holds(lookup(data, path), test) for path, test in (conditions or {}).items())


def is_urgent(urgent: Any, data: Mapping[str, Any]) -> bool:
    """A rule's ``urgent``: a boolean, a dotted path to a boolean (``"$urgent"``), or conditions."""
    if isinstance(urgent, bool):
        return urgent
    if isinstance(urgent, str) and urgent.startswith("$"):
        return lookup(data, urgent[1:]) is True
    if isinstance(urgent, Mapping):
        return matches(urgent, data)
    return False


def check_conditions(conditions: Any) -> list[str]:
    """What is wrong with ``conditions`` (empty when they are well formed)."""
    problems = []
    if not isinstance(conditions, Mapping):
        return ["conditions must be an object"]
    for path, test in conditions.items():
        if isinstance(test, Mapping) and (len(test) != 1 or next(iter(test)) not in OPERATORS):
            problems.append(f"{path}: one operator of {', '.join(OPERATORS)}")
    return problems


def expand(template: Any, data: Mapping[str, Any]) -> Any:
    """Replace ``{path}`` in an audience value with the event's data (e.g. a commune's ``{unit}``)."""
    if not isinstance(template, str) or "{" not in template:
        return template
    out = template
    for part in template.split("{")[1:]:
        path = part.split("}", 1)[0]
        value = lookup(data, path)
        out = out.replace("{" + path + "}", "" if value is _MISSING or value is None else str(value))
    return out
