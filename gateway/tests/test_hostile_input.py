"""Hostile bodies and headers at the gateway (issue #23): nesting depth, oversized headers."""

import pathlib
import socket
import subprocess
import sys
import time

import pytest

from gateway.app import create_app
from tiepdan_common.errors import PROBLEM_CONTENT_TYPE

from .checks import problem
from .conftest import free_port

APPS = pathlib.Path(__file__).parent / "apps"

DEEP = 20_000  # 40 kB: under the test settings' 64 kB body limit


@pytest.mark.parametrize("body", ["[" * DEEP + "]" * DEEP, '{"grant_type": ' + "[" * DEEP + "]" * DEEP + "}"])
async def test_a_deeply_nested_token_request_is_400(client, body):
    resp = await client.post("/api/v1/auth/token", data=body.encode(), headers={"Content-Type": "application/json"})
    answer = await problem(resp, 400, "json_too_deep")
    assert answer["errors"][0]["field"] in ("body", "grant_type")


async def test_a_deeply_nested_body_is_stopped_before_the_service(client, get_token, bearer):
    token = await get_token("district-board")
    body = '{"content": ' + "[" * DEEP + "]" * DEEP + "}"
    resp = await client.post(
        "/api/v1/intake/visits", data=body.encode(), headers={**bearer(token), "Content-Type": "application/json"}
    )
    answer = await problem(resp, 400, "json_too_deep")
    assert answer["errors"] == [{"field": "content", "message": "nested deeper than 32 levels"}]
    ordinary = await client.post("/api/v1/intake/visits", json={"content": [[["a"]]]}, headers=bearer(token))
    assert ordinary.status == 201


# --------------------------------------------------------------------------- unread bodies


@pytest.fixture
def unread_service():
    """A gunicorn gthread service (the services' worker class) that reads no request body."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "--workers",
            "1",
            "--keep-alive",
            "30",
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(APPS),
            "unread_body:app",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_body_the_service_leaves_unread_never_breaks_a_later_write(
    make_client, settings_factory, database_url, accounts, unread_service, get_token
):
    settings = settings_factory(database_url, {"intake": unread_service}, max_body_bytes=1024 * 1024)
    client = await make_client(create_app(settings))
    token = (
        await (
            await client.post(
                "/api/v1/auth/token",
                json={
                    "grant_type": "client_credentials",
                    "client_id": "district-board",
                    "client_secret": "demo-secret-board",
                },
            )
        ).json()
    )["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(5):
        big = await client.post(
            "/api/v1/intake/petitions/1/citizen-informed",
            data=b"x" * 300_000,
            headers={**auth, "Content-Type": "application/octet-stream"},
        )
        assert big.status == 201, await big.text()
        # another client's write, at once
        later = await client.post("/api/v1/intake/visits", json={"content": "Tranh chấp"}, headers=auth)
        assert later.status == 201, await later.text()


# --------------------------------------------------------------------------- oversized headers


async def test_an_oversized_authorization_header_is_a_problem_without_echo_or_banner(client):
    marker = "ZQX" * 7000
    resp = await client.get("/api/v1/intake/visits", headers={"Authorization": f"Bearer {marker}"})
    text = await resp.text()
    assert resp.status in (400, 431), text[:300]
    assert resp.content_type == PROBLEM_CONTENT_TYPE, text[:300]
    assert "ZQX" not in text
    assert "aiohttp" not in resp.headers.get("Server", "") and "Python" not in resp.headers.get("Server", "")


async def test_no_answer_names_the_gateway_software(client):
    for resp in (await client.get("/livez"), await client.get("/nowhere")):
        assert "Server" not in resp.headers or "aiohttp" not in resp.headers["Server"]


# --------------------------------------------------------------------------- signed provider callbacks


async def test_a_provider_s_signed_callback_reaches_the_service_with_its_signature(client):
    signature = {
        "X-Tiepdan-Timestamp": "1765000000",
        "X-Tiepdan-Signature": "v1=" + "ab" * 32,
        "X-Tiepdan-Delivery": "d-1",
    }
    resp = await client.post(
        "/api/v1/notify/sms/inbound",
        json={"from": "+84900000000", "text": "123456"},
        headers={**signature, "X-Tiepdan-Identity": "forged", "X-Tiepdan-Unit": "947"},
    )
    assert resp.status == 201, await resp.text()
    forwarded = {name.lower(): value for name, value in (await resp.json())["headers"]}
    for name, value in signature.items():
        assert forwarded[name.lower()] == value
    assert forwarded["x-tiepdan-identity"] != "forged" and "x-tiepdan-unit" not in forwarded


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("case", ["many fields", "long forwarded-for", "long target"])
async def test_what_the_gateway_forwards_stays_within_the_services_own_limits(
    make_client, settings_factory, database_url, accounts, unread_service, case
):
    """gunicorn answers its own limit errors (100 header fields, 8190 bytes a field, 4094 the request line)
    as an HTML page naming itself: the gateway must refuse such a request first, or never make one."""
    settings = settings_factory(database_url, {"intake": unread_service})
    client = await make_client(create_app(settings))
    token = (
        await (
            await client.post(
                "/api/v1/auth/token",
                json={
                    "grant_type": "client_credentials",
                    "client_id": "district-board",
                    "client_secret": "demo-secret-board",
                },
            )
        ).json()
    )["access_token"]
    headers = [("Authorization", f"Bearer {token}")]
    path = "/api/v1/intake/visits"
    if case == "many fields":
        headers += [(f"X-Filler-{i}", "QZX") for i in range(120)]
    elif case == "long forwarded-for":
        headers += [("X-Forwarded-For", "10.0.0.1, " * 818 + "QZX")]  # 8183 bytes: with ", 127.0.0.1", 8194
    else:
        path += "?q=" + "QZX" * 1500
    resp = await client.get(path, headers=headers)
    text = await resp.text()
    assert resp.status < 500, text[:300]
    if resp.status >= 400:
        assert resp.content_type == PROBLEM_CONTENT_TYPE, text[:300]
        assert "QZX" not in text and "gunicorn" not in text.lower()


@pytest.mark.parametrize("send", ["json", "form"])
async def test_a_nul_in_a_token_request_is_422_not_500(client, send):
    fields = {"grant_type": "password", "username": "btcd\u000001", "password": "x"}
    if send == "json":
        resp = await client.post("/api/v1/auth/token", json=fields)
    else:
        resp = await client.post("/api/v1/auth/token", data=fields)
    answer = await problem(resp, 422, "validation_failed")
    assert answer["errors"] == [{"field": "username", "message": "Contains control characters."}]
