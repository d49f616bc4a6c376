"""Property-based fuzzing of every endpoint through the gateway, from the merged OpenAPI document.

For every operation, Hypothesis generates requests from the documented schemas
(schemathesis); each answer must not be a 5xx, must have the documented
content type, and must match the documented response schema. The caller is the
admin client (it may call every route, so nothing stops at 403).
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

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
