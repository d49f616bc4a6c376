"""Protection of the services: rate limits counted in Redis, per caller, per address, across processes."""

import asyncio
import logging
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest

from gateway.app import create_app
from gateway.ratelimit import RateLimited, RateLimiter
from tiepdan_common.testing import TEST_IDENTITY_KEY

from .checks import client_token, problem

GATEWAY_DIR = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


# --------------------------------------------------------------------------- rate limiter


async def test_limiter_counts_in_redis_and_answers_retry_after():
    limiter = RateLimiter(REDIS_URL, window_seconds=3600, prefix=f"tiepdan:gateway-test:{uuid.uuid4().hex}:")
    await limiter.start()
    try:
        for _ in range(3):
            await limiter.hit("client:a", 3)
        with pytest.raises(RateLimited) as caught:
            await limiter.hit("client:a", 3)
        assert caught.value.status == 429
        assert 1 <= int(caught.value.headers["Retry-After"]) <= 3600
        await limiter.hit("client:b", 3)  # another key has its own count
        hits, left = await limiter.count("client:b")
        assert hits == 2 and 0 < left <= 3600
    finally:
        await limiter.close()


async def test_big_limits_are_counted_in_the_background_and_exactly_near_the_end():
    prefix = f"tiepdan:gateway-test:{uuid.uuid4().hex}:"
    first = RateLimiter(REDIS_URL, window_seconds=3600, prefix=prefix, flush_interval=0.01)
    second = RateLimiter(REDIS_URL, window_seconds=3600, prefix=prefix, flush_interval=0.01)
    await first.start()
    await second.start()
    calls = []
    real = first.count

    async def counting(key, hits=1):
        calls.append(hits)
        return await real(key, hits)

    first.count = counting
    try:
        for _ in range(50):
            await first.hit("client:a", 100)
        assert calls[0] == 1 and len(calls) == 1  # the first hit waits; the next 49 are sent later, together
        await asyncio.sleep(0.1)
        assert calls == [1, 49]
        for _ in range(40):
            await second.hit("client:a", 100)  # another process: learns the 50 at its first hit
        await asyncio.sleep(0.1)
        for _ in range(10):
            await first.hit("client:a", 100)  # still far from the limit as far as this process knows
        await asyncio.sleep(0.1)
        assert calls == [1, 49, 10]  # ... and it learns the total (100) when it sends them
        with pytest.raises(RateLimited):
            await first.hit("client:a", 100)  # within the slack: waits for Redis, 101 > 100
        assert calls[-1] == 1
        with pytest.raises(RateLimited):
            await first.hit("client:a", 100)
        assert len(calls) == 4  # refused here without asking Redis again
        with pytest.raises(RateLimited):
            await second.hit("client:a", 100)
        total, _left = await second.count("client:a", 0)
        assert total == 102
    finally:
        await first.close()
        await second.close()


async def test_limiter_fails_open_with_a_warning_when_redis_is_down(closed_port, caplog):
    limiter = RateLimiter(f"redis://127.0.0.1:{closed_port}/0", prefix="tiepdan:gateway-test:down:")
    await limiter.start()
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.ratelimit"):
            for _ in range(5):
                await limiter.hit("client:a", 1)  # never refused
        warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
        assert len(warnings) == 1
        assert await limiter.count("client:a") is None
    finally:
        await limiter.close()


async def test_flood_from_one_client_leaves_the_others_alone(
    make_client, database_url, accounts, upstreams, settings_factory
):
    urls = {name: str(server.make_url("")).rstrip("/") for name, server in upstreams.items()}
    settings = settings_factory(database_url, urls, rate_limits={"commune": 4, "district": 100})
    client = await make_client(create_app(settings))
    flooder = await client_token(client, "", "commune-31684", "demo-secret-31684")
    other = await client_token(client, "", "district-board", "demo-secret-board")
    statuses = []
    for _ in range(10):
        resp = await client.get("/api/v1/intake/visits", headers={"Authorization": f"Bearer {flooder}"})
        statuses.append(resp.status)
        if resp.status == 429:
            body = await problem(resp, 429, "rate_limited")
            assert body["limit"] == 4
            assert int(resp.headers["Retry-After"]) >= 1
        ok = await client.get("/api/v1/intake/visits", headers={"Authorization": f"Bearer {other}"})
        assert ok.status == 200
    assert statuses == [200] * 4 + [429] * 6


async def test_token_endpoint_is_limited_per_address_and_client(make_client, database_url, accounts, settings_factory):
    client = await make_client(create_app(settings_factory(database_url, {}, rate_limit_token=3)))
    form = {"grant_type": "client_credentials", "client_id": "admin", "client_secret": "wrong"}
    for _ in range(3):
        assert (await client.post("/api/v1/auth/token", json=form)).status == 401
    resp = await client.post("/api/v1/auth/token", json={**form, "client_secret": "demo-secret-admin"})
    await problem(resp, 429, "rate_limited")
    assert "Retry-After" in resp.headers
    # Another client id from the same address is counted apart.
    assert (
        await client.post(
            "/api/v1/auth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": "police-947",
                "client_secret": "demo-secret-police",
            },
        )
    ).status == 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gateway(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GATEWAY_DIR / "gunicorn.conf.py")],
        env={**env, "GATEWAY_BIND": f"127.0.0.1:{port}"},
        cwd=GATEWAY_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def _wait_live(http, base: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise AssertionError(f"gateway exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            async with http.get(f"{base}/livez") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("gateway did not start")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_limits_are_shared_by_gateway_processes(database_url, accounts, upstreams, closed_port):
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_IDENTITY_KEY": TEST_IDENTITY_KEY,
        "GATEWAY_IDENTITY_KEYS": TEST_IDENTITY_KEY,
        "GATEWAY_WORKERS": "1",
        "RATE_LIMIT_PREFIX": f"tiepdan:gateway-test:{uuid.uuid4().hex}:",
        "RATE_LIMIT_COMMUNE": "6",
        "RATE_LIMIT_WINDOW_SECONDS": "3600",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_PARALLELISM": "1",
        "LOG_LEVEL": "WARNING",
        **{f"{n.upper()}_URL": str(s.make_url("")).rstrip("/") for n, s in upstreams.items()},
    }
    ports = [free_port(), free_port()]
    procs = [_start_gateway(port, env) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        async with aiohttp.ClientSession() as http:
            for base, proc in zip(bases, procs, strict=True):
                await _wait_live(http, base, proc)
            flooder = await client_token(http, bases[0], "commune-31684", "demo-secret-31684")
            other = await client_token(http, bases[1], "district-board", "demo-secret-board")
            passed = 0
            for i in range(16):
                async with http.get(
                    f"{bases[i % 2]}/api/v1/intake/visits", headers={"Authorization": f"Bearer {flooder}"}
                ) as resp:
                    assert resp.status in (200, 429), await resp.text()
                    passed += resp.status == 200
                async with http.get(
                    f"{bases[(i + 1) % 2]}/api/v1/intake/visits", headers={"Authorization": f"Bearer {other}"}
                ) as resp:
                    assert resp.status == 200, await resp.text()
            assert passed == 6  # one count for both processes (each alone would have let 6 through)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
