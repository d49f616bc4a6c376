"""Hostile bodies and headers at the gateway (issue #23): nesting depth, oversized headers."""

import pytest
from tiepdan_common.errors import PROBLEM_CONTENT_TYPE

DEEP = 20_000  # 40 kB: under the test settings' 64 kB body limit


async def _problem(resp, status: int, code: str) -> dict:
    assert resp.status == status, await resp.text()
    assert resp.content_type == PROBLEM_CONTENT_TYPE
    body = await resp.json(content_type=None)
    assert body["code"] == code
    return body


@pytest.mark.parametrize("body", ["[" * DEEP + "]" * DEEP, '{"grant_type": ' + "[" * DEEP + "]" * DEEP + "}"])
async def test_a_deeply_nested_token_request_is_400(client, body):
    resp = await client.post("/api/v1/auth/token", data=body.encode(), headers={"Content-Type": "application/json"})
    problem = await _problem(resp, 400, "json_too_deep")
    assert problem["errors"][0]["field"] in ("body", "grant_type")


async def test_a_deeply_nested_body_is_stopped_before_the_service(client, get_token, bearer):
    token = await get_token("district-board")
    body = '{"content": ' + "[" * DEEP + "]" * DEEP + "}"
    resp = await client.post("/api/v1/intake/visits", data=body.encode(),
                             headers={**bearer(token), "Content-Type": "application/json"})
    problem = await _problem(resp, 400, "json_too_deep")
    assert problem["errors"] == [{"field": "content", "message": "nested deeper than 32 levels"}]
    ordinary = await client.post("/api/v1/intake/visits", json={"content": [[["a"]]]}, headers=bearer(token))
    assert ordinary.status == 201
