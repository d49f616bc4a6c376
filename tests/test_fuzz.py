"""Property-based fuzzing of every endpoint through the gateway, from the merged OpenAPI document.

For every operation, Hypothesis generates requests from the documented schemas
(schemathesis); each answer must not be a 5xx, must have the documented
content type, and must match the documented response schema. The caller is the
admin client (it may call every route, so nothing stops at 403).

Then every write route gets the cases generation rarely reaches (built in fuzz_cases): JSON nested
100,000 levels deep, a body over the limit, a body of another media type, and dates in year 1, in
year 9999 or malformed in each date field of its body. Each is a 4xx problem document, never a 5xx.
"""

import json
import uuid

import pytest
import requests
import schemathesis
from fuzz_cases import BAD_DATES, HTTP_METHODS, JSON, WRITE_METHODS, Document, Resources, deep_json
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from test_slice import mass_visit

from tiepdan_common.testing import wait_for

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES_PER_OPERATION = 15


def test_no_endpoint_answers_5xx_or_off_schema(system, admin_token):
    schema = schemathesis.openapi.from_url(f"{system.gateway}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {admin_token}"}
    operations, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            case.call_and_validate(base_url=system.gateway, headers=headers, checks=CHECKS, timeout=30)

        try:
            fuzz()
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert operations >= 5, "the merged document lists too few operations"
    assert not failures, "\n\n".join(failures)


# The gateway's limit on a body unless MAX_BODY_BYTES says otherwise; each service's is the same (1 MiB).
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEPTH = 100_000
PROBLEM = "application/problem+json"
# Media types a JSON route must refuse; a route that documents one of them (the token endpoint takes a
# form) is not sent it.
OTHER_MEDIA_TYPES = (
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=tiepdan",
    None,  # a body with no Content-Type at all
)


@pytest.fixture(scope="module")
def document(system):
    resp = requests.get(f"{system.gateway}/api/v1/openapi.json", timeout=30)
    resp.raise_for_status()
    return Document(resp.json())


@pytest.fixture(scope="module")
def api(system, admin_token):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin_token}"
    yield session
    session.close()


def refused(resp, label: str) -> str | None:
    """None when ``resp`` is a 4xx problem document; otherwise what is wrong, for the failure message."""
    kind = resp.headers.get("Content-Type", "")
    if 400 <= resp.status_code < 500 and kind.startswith(PROBLEM):
        return None
    return f"{label}: {resp.status_code} {kind} {resp.text[:300]}"


def a_field(document, operation) -> str:
    """A field of the route's body, so that a deep or long value sits where the service reads one."""
    schema = document.body_schema(operation) or {}
    names = [*schema.get("required", []), *schema.get("properties", {})]
    return names[0] if names else "value"


def test_json_nested_100000_levels_is_refused_on_every_write_route(system, document, api):
    failures, sent = [], 0
    for operation in document.operations(WRITE_METHODS):
        url = system.gateway + document.url(operation)
        field = a_field(document, operation)
        for where, body in (("body", deep_json(DEPTH)), (field, f'{{"{field}": {deep_json(DEPTH)}}}')):
            resp = api.request(operation.method, url, data=body, headers={"Content-Type": JSON}, timeout=30)
            sent += 1
            failures.append(refused(resp, f"{operation.label} with {where} nested {DEPTH} deep"))
    assert sent >= 100
    assert not any(failures), "\n".join(f for f in failures if f)


def test_a_body_over_the_limit_is_refused_on_every_write_route(system, document, api):
    limit = int(system.env("gateway").get("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))
    failures = []
    for operation in document.operations(WRITE_METHODS):
        url = system.gateway + document.url(operation)
        head = f'{{"{a_field(document, operation)}": "'.encode()
        body = head + b"a" * (limit + 1 - len(head) - 2) + b'"}'
        assert len(body) == limit + 1

        def chunks(body=body):  # no Content-Length: the limit holds for what is read
            for start in range(0, len(body), 64 * 1024):
                yield body[start : start + 64 * 1024]

        for how, data in (("with its length", body), ("chunked", chunks())):
            resp = api.request(operation.method, url, data=data, headers={"Content-Type": JSON}, timeout=30)
            failures.append(refused(resp, f"{operation.label}: {limit + 1} bytes {how}"))
            if resp.status_code != 413:
                failures.append(f"{operation.label}: {limit + 1} bytes {how} answered {resp.status_code}, not 413")
    assert not any(failures), "\n".join(f for f in failures if f)


def test_a_body_of_another_media_type_is_refused_on_every_json_route(system, document, api):
    failures, sent = [], 0
    for operation in document.operations(WRITE_METHODS):
        if not operation.takes_json:
            continue  # a route that documents no body reads none, whatever its media type
        url = system.gateway + document.url(operation)
        # A body the route would take as JSON: only its media type is wrong.
        body = json.dumps(document.sample(document.body_schema(operation)), ensure_ascii=False).encode()
        for media_type in OTHER_MEDIA_TYPES:
            if media_type and media_type.split(";")[0] in operation.media_types:
                continue
            headers = {"Content-Type": media_type} if media_type else {}
            resp = api.request(operation.method, url, data=body, headers=headers, timeout=30)
            sent += 1
            failures.append(refused(resp, f"{operation.label} as {media_type or 'no media type'}: {body[:200]!r}"))
    assert sent >= 100
    assert not any(failures), "\n".join(f for f in failures if f)


@pytest.fixture(scope="module")
def existing(system, document, api, commune_token, board_token):
    """A visit, a petition and the case the visit opens, so that routes under them reach an existing one."""
    visit = system.call("POST", "/api/v1/intake/visits", commune_token, json=mass_visit(field="construction"))
    assert visit.status_code == 201, visit.text
    petition = system.call(
        "POST",
        "/api/v1/intake/petitions",
        board_token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={
            "channel": "post",
            "category": "recommendation",
            "field": "land",
            "receiving_unit": "92",
            "origin_unit": "31684",
            "received_at": "2026-01-05T09:00:00+07:00",
            "content": f"Kiến nghị sửa đường ấp Phước Hòa ({uuid.uuid4().hex[:8]})",
            "senders": [{"full_name": "Lê Văn Bảy", "address": "Khóm 3", "is_representative": True}],
        },
    )
    assert petition.status_code == 201, petition.text
    wait_for(lambda: api.get(f"{system.gateway}/api/v1/escalation/cases", timeout=10).json(), timeout=30)

    def get(path: str):
        resp = api.get(system.gateway + path, timeout=30)
        return resp.json() if resp.status_code == 200 and resp.headers["Content-Type"].startswith(JSON) else None

    return Resources(document, get)


def test_far_and_malformed_dates_are_refused_in_every_write_body(system, document, api, existing):
    """Each date field in turn, in a body otherwise well formed, on an existing resource where there is one."""
    failures, sent = [], 0
    for operation in document.operations(WRITE_METHODS):
        schema = document.body_schema(operation)
        if schema is None:
            continue
        url = system.gateway + existing.url(operation)
        for path, fmt in document.date_fields(schema):
            for value in BAD_DATES[fmt]:
                body = document.sample(schema, path, value)
                resp = api.request(operation.method, url, json=body, timeout=30)
                sent += 1
                where = ".".join(str(p) for p in path)
                label = f"{operation.method.upper()} {url[len(system.gateway) :]} {where}={value} in {json.dumps(body, ensure_ascii=False)[:300]}"
                failures.append(refused(resp, label))
    assert sent >= 100
    assert not any(failures), "\n".join(f for f in failures if f)


def test_far_and_malformed_dates_in_a_query_never_fail_the_server(system, document, api, existing):
    """A filter on a day may find nothing (a 200) or refuse the day (a 4xx problem), never a 5xx."""
    failures, sent = [], 0
    for operation in document.operations(HTTP_METHODS):
        url = system.gateway + existing.url(operation)
        for param in operation.parameters:
            fmt = document.resolve(param.get("schema", {})).get("format")
            if param["in"] != "query" or fmt not in BAD_DATES:
                continue
            for value in BAD_DATES[fmt]:
                query = document.query(operation, param["name"], value)
                resp = api.request(operation.method, url, params=query, timeout=30)
                sent += 1
                if resp.status_code >= 400:
                    failures.append(refused(resp, f"{operation.label}?{param['name']}={value}"))
    assert sent >= 50
    assert not any(failures), "\n".join(f for f in failures if f)


def test_every_read_still_answers_after_the_hostile_writes(system, document, api, existing):
    """Whatever the writes above stored (a far date a route took, say), no page that shows it fails."""
    failures, sent = [], 0
    for operation in document.operations(("get",)):
        url = system.gateway + existing.url(operation)
        resp = api.get(url, params=document.query(operation), timeout=60)
        sent += 1
        if resp.status_code >= 500:
            failures.append(f"GET {url[len(system.gateway) :]}: {resp.status_code} {resp.text[:300]}")
    assert sent >= 50
    assert not failures, "\n".join(failures)
