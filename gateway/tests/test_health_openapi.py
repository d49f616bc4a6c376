"""Health endpoints and the merged OpenAPI document."""

from gateway.app import create_app
from gateway.openapi import gateway_spec, merge_documents


async def test_livez_and_readyz(client):
    assert (await (await client.get("/livez")).json()) == {"status": "ok", "service": "gateway"}
    resp = await client.get("/readyz")
    assert resp.status == 200
    assert (await resp.json())["checks"] == {"database": "ok", "signing_keys": "ok"}


async def test_health_all_ready(client):
    resp = await client.get("/api/v1/health")
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "ok" and body["gateway"] == "ok"
    assert set(body["services"]) == {"intake", "roster", "escalation", "notify"}
    assert all(s == {"status": "ok", "http_status": 200, "circuit": "closed"} for s in body["services"].values())


async def test_health_reports_a_service_down(
    make_client, database_url, accounts, upstreams, settings_factory, closed_port
):
    urls = {name: str(server.make_url("")).rstrip("/") for name, server in upstreams.items()}
    urls["notify"] = f"http://127.0.0.1:{closed_port}"
    client = await make_client(create_app(settings_factory(database_url, urls)))
    resp = await client.get("/api/v1/health")
    assert resp.status == 503
    body = await resp.json()
    assert body["status"] == "unavailable" and body["gateway"] == "ok"
    assert body["services"]["notify"]["status"] == "unavailable"
    assert body["services"]["intake"]["status"] == "ok"


async def test_openapi_merges_the_services(client):
    resp = await client.get("/api/v1/openapi.json")
    assert resp.status == 200
    doc = await resp.json()
    assert doc["openapi"] == "3.1.0"
    # The gateway's own part.
    assert {"/api/v1/auth/token", "/api/v1/auth/jwks", "/api/v1/health", "/api/v1/openapi.json"} <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert doc["security"] == [{"bearerAuth": []}]
    token_op = doc["paths"]["/api/v1/auth/token"]["post"]
    assert token_op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TokenRequest"
    }
    assert "grant_type" in doc["components"]["schemas"]["TokenRequest"]["properties"]
    # Every service, prefixed, with its components renamed and references following.
    for service in ("intake", "roster", "escalation", "notify"):
        op = doc["paths"][f"/api/v1/{service}/visits"]["get"]
        assert op["operationId"] == f"{service}.list"
        assert op["tags"] == [f"{service}.things"]
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["items"] == {"$ref": f"#/components/schemas/{service}.Item"}
        assert op["responses"]["422"] == {"$ref": f"#/components/responses/{service}.UNPROCESSABLE_ENTITY"}
        item = doc["components"]["schemas"][f"{service}.Item"]
        assert item["properties"]["owner"] == {"$ref": f"#/components/schemas/{service}.Owner"}
        assert f"/api/v1/{service}/readyz" not in doc["paths"]
        assert f"/api/v1/{service}/visits/{{id}}" in doc["paths"]
    assert doc["paths"]["/api/v1/intake/visits"]["get"]["x-tiepdan-permission"] == "visits:read"
    assert doc["paths"]["/api/v1/intake/visits/{id}"]["get"]["x-tiepdan-permission"] == "visits:read"
    assert doc["paths"]["/api/v1/roster/visits"]["get"]["x-tiepdan-permission"] == "admin"
    assert "x-tiepdan-unavailable" not in doc


async def test_openapi_names_services_that_did_not_answer(
    make_client, database_url, accounts, upstreams, settings_factory, closed_port
):
    urls = {name: str(server.make_url("")).rstrip("/") for name, server in upstreams.items()}
    urls["roster"] = f"http://127.0.0.1:{closed_port}"
    client = await make_client(create_app(settings_factory(database_url, urls)))
    doc = await (await client.get("/api/v1/openapi.json")).json()
    assert doc["x-tiepdan-unavailable"] == ["roster"]
    assert "/api/v1/intake/visits" in doc["paths"] and "/api/v1/roster/visits" not in doc["paths"]


def test_merge_keeps_same_named_components_apart():
    def doc(description):
        return {
            "paths": {},
            "components": {
                "schemas": {"Visit": {"description": description}},
                "securitySchemes": {"x": {"type": "apiKey"}},
            },
        }

    merged = merge_documents(gateway_spec(), {"a": doc("A"), "b": doc("B")})
    assert merged["components"]["schemas"]["a.Visit"] == {"description": "A"}
    assert merged["components"]["schemas"]["b.Visit"] == {"description": "B"}
    assert set(merged["components"]["securitySchemes"]) == {"bearerAuth"}


def test_public_routes_are_marked_without_security():
    from gateway.openapi import merge_service

    doc: dict = {}
    merge_service(
        doc,
        "notify",
        {
            "paths": {
                "/ack/{token}": {"get": {"responses": {}}, "post": {"responses": {}}},
                "/inbox": {"get": {"responses": {}}},
            }
        },
    )
    ack = doc["paths"]["/api/v1/notify/ack/{token}"]
    assert ack["get"]["x-tiepdan-permission"] == "public" and ack["get"]["security"] == []
    assert ack["post"]["x-tiepdan-permission"] == "public"
    inbox = doc["paths"]["/api/v1/notify/inbox"]["get"]
    assert inbox["x-tiepdan-permission"] == "inbox:read" and "security" not in inbox
