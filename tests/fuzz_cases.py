"""Hand-made hostile requests for every route of the merged OpenAPI document (tests/test_fuzz.py sends them).

Schemathesis generates bodies that fit the schemas; these are the cases it rarely or never makes: JSON
nested 100,000 levels, a body over the gateway's limit, a body of the wrong media type, and dates at the
ends of the calendar or malformed, each in an otherwise well-formed body or query so that the date
itself is what the service must refuse.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import Any

WRITE_METHODS = ("post", "put", "patch", "delete")
HTTP_METHODS = ("get", *WRITE_METHODS)
JSON = "application/json"

# What a sample fills in for a field of each format, and a path parameter that names a day.
GOOD_DATE = "2025-09-02"
GOOD_DATE_TIME = "2025-09-02T09:00:00+07:00"
# The far ends of the calendar (and beyond them once moved to UTC) and values that are not dates at all.
BAD_DATES = {
    "date": ["0001-01-01", "9999-12-31", "2025-02-30", "02/09/2025", "99999-01-01"],
    "date-time": [
        "0001-01-01T00:00:00+14:00",  # the year 0 in UTC
        "9999-12-31T23:59:59-12:00",  # the year 10000 in UTC
        "2025-02-30T09:00:00+07:00",
        "2025-09-02T25:61:00+07:00",
        "hôm qua",
    ],
}


@dataclasses.dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict
    parameters: tuple[dict, ...]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.template}"

    @property
    def media_types(self) -> tuple[str, ...]:
        return tuple(self.spec.get("requestBody", {}).get("content", {}))

    @property
    def takes_json(self) -> bool:
        return JSON in self.media_types


class Document:
    """The merged OpenAPI document, with the means to build requests from its schemas."""

    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self.schemas = doc.get("components", {}).get("schemas", {})

    def operations(self, methods: tuple[str, ...] = HTTP_METHODS) -> Iterator[Operation]:
        for template, item in self.doc["paths"].items():
            shared = item.get("parameters", [])
            for method, spec in item.items():
                if method in methods:
                    own = spec.get("parameters", [])
                    names = {(p["name"], p["in"]) for p in own}
                    merged = (*own, *(p for p in shared if (p["name"], p["in"]) not in names))
                    yield Operation(method, template, spec, tuple(self.resolve(p) for p in merged))

    def resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def body_schema(self, operation: Operation) -> dict | None:
        content = operation.spec.get("requestBody", {}).get("content", {}).get(JSON)
        return self.resolve(content["schema"]) if content and "schema" in content else None

    # Where dates are.

    def date_fields(self, schema: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
        """(path, format) of every date and date-time in a schema; a path holds keys and 0 for an array's item."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return []
        found: list[tuple[tuple, str]] = []
        if schema.get("format") in BAD_DATES:
            found.append((path, schema["format"]))
        for name, sub in schema.get("properties", {}).items():
            found += self.date_fields(sub, (*path, name))
        if "items" in schema:
            found += self.date_fields(schema["items"], (*path, 0))
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                found += [f for f in self.date_fields(sub, path) if f not in found]
        return found

    # Well-formed values.

    def sample(self, schema: Any, target: tuple | None = None, value: Any = None) -> Any:
        """A value that fits ``schema``, with ``value`` at path ``target`` (which it includes, optional or not)."""
        schema = self.resolve(schema)
        if target == ():
            return value
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(s) for s in schema[key]]
                fitting = [s for s in options if target is None or self._has_path(s, target)] or options
                return self.sample(next((s for s in fitting if _types(s) != {"null"}), fitting[0]), target, value)
        if "allOf" in schema:
            merged: dict = {}
            for sub in schema["allOf"]:
                sub = self.resolve(sub)
                merged.setdefault("properties", {}).update(sub.get("properties", {}))
                merged.setdefault("required", []).extend(sub.get("required", []))
            return self.sample({**merged, "type": "object"}, target, value)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
        kinds = _types(schema) - {"null"} or {"null"}
        if "object" in kinds or "properties" in schema:
            head = target[0] if target else None
            names = [
                *schema.get("required", []),
                *([head] if head is not None and head not in schema.get("required", []) else []),
            ]
            props = schema.get("properties", {})
            return {
                name: self.sample(props.get(name, {}), target[1:] if name == head else None, value) for name in names
            }
        if "array" in kinds:
            count = max(schema.get("minItems", 0), 1 if target else 0)
            return [
                self.sample(schema.get("items", {}), target[1:] if target and i == 0 else None, value)
                for i in range(count)
            ]
        if "integer" in kinds or "number" in kinds:
            return schema.get("minimum", 1 if schema.get("maximum", 1) >= 1 else schema["maximum"])
        if "boolean" in kinds:
            return False
        if "string" in kinds:
            return _string(schema)
        return None

    def _has_path(self, schema: Any, path: tuple) -> bool:
        return any(found == path for found, _ in self.date_fields(schema))

    def url(self, operation: Operation) -> str:
        """The operation's path with a well-formed value for each path parameter."""
        return re.sub(r"\{([^}/]+)\}", lambda m: self.path_value(operation, m.group(1)), operation.template)

    def path_value(self, operation: Operation, name: str) -> str:
        if "date" in name:
            return GOOD_DATE
        param = next((p for p in operation.parameters if p["name"] == name and p["in"] == "path"), {})
        value = self.sample(param.get("schema", {}))
        return str(value if value not in (None, "") else 1)

    def query(self, operation: Operation, name: str | None = None, value: str | None = None) -> dict[str, Any]:
        """The required query parameters with well-formed values, and ``name`` set to ``value``."""
        params = {}
        for param in operation.parameters:
            if param["in"] != "query":
                continue
            if param["name"] == name:
                params[name] = value
            elif param.get("required"):
                params[param["name"]] = self.sample(param.get("schema", {}))
        return params


def _types(schema: dict) -> set[str]:
    kind = schema.get("type")
    if kind is None:
        return set()
    return set(kind) if isinstance(kind, list) else {kind}


def _string(schema: dict) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return GOOD_DATE
    if fmt == "date-time":
        return GOOD_DATE_TIME
    if fmt == "email":
        return "canbo@example.vn"
    if fmt in ("uri", "url"):
        return "https://example.vn/"
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    length = max(schema.get("minLength", 1), 1)
    return ("a" * length)[: schema.get("maxLength", length)]


def deep_json(levels: int) -> str:
    return "[" * levels + "]" * levels


class Resources:
    """Ids of things that exist, found through the collections the document lists, for path parameters.

    ``/cases/{case_id}/tasks`` takes the first case ``GET /cases`` lists, so that a body reaches the
    service's handling of an existing case instead of stopping at a 404.
    """

    def __init__(self, document: Document, get: Callable[[str], Any]) -> None:
        self.document = document
        self.get = get  # path -> the decoded JSON answer, or None
        self.collections = {op.template for op in document.operations(("get",))}
        self._listed: dict[str, Any] = {}

    def url(self, operation: Operation) -> str:
        template = operation.template
        filled = ""
        position = 0
        for match in re.finditer(r"\{([^}/]+)\}", template):
            filled += template[position : match.start()]
            position = match.end()
            name = match.group(1)
            value = self._existing(template[: match.start()].rstrip("/"), filled.rstrip("/"), name)
            filled += value if value is not None else self.document.path_value(operation, name)
        return filled + template[position:]

    def _existing(self, collection: str, path: str, name: str) -> str | None:
        if collection not in self.collections:
            return None
        if path not in self._listed:
            self._listed[path] = self.get(path)
        listed = self._listed[path]
        items = listed.get("items") if isinstance(listed, dict) else listed
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            return None
        first = items[0]
        key = "id" if name.endswith("_id") and "id" in first else name
        value = first.get(key)
        return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
