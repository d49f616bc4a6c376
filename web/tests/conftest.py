"""Fixtures: a stand-in gateway for the app's unit tests, and the whole system with a browser for end to end.

The stand-in is a real local HTTP server answering canned JSON per route: the app under
test talks HTTP to it exactly as it does to the gateway (no mocks of the app's own code).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tests' shared samples (samples.py)
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


# --------------------------------------------------------------------------- stand-in gateway


def fake_token(**claims) -> str:
    """An unsigned JWT-shaped token carrying ``claims`` (the app reads claims only for display)."""

    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'EdDSA'})}.{part(claims)}.c2ln"


class FakeGateway:
    """Routes ``(METHOD, path regex)`` to ``(status, json body)``; records every request it gets."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], tuple[int, object]] = {}
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                fake.requests.append(
                    {
                        "method": self.command,
                        "path": parsed.path,
                        "query": parse_qs(parsed.query),
                        "json": body,
                        "headers": dict(self.headers),
                    }
                )
                status, payload = fake.lookup(self.command, parsed.path)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                ctype = (
                    "application/octet-stream"
                    if isinstance(payload, bytes)
                    else ("application/json" if status < 400 else "application/problem+json")
                )
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def lookup(self, method: str, path: str) -> tuple[int, object]:
        for (m, pattern), answer in self.routes.items():
            if m == method and re.fullmatch(pattern, path):
                return answer
        return 403, {"status": 403, "code": "forbidden", "detail": "route not allowed"}

    def on(self, method: str, path: str, status: int, body: object) -> None:
        """Answer ``method path`` (a regex under /api/v1) with ``status`` and ``body``."""
        self.routes[(method, "/api/v1" + path)] = (status, body)

    def sent(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["path"] == "/api/v1" + path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# The reception board's permissions in the gateway's role table.
BOARD_PERMISSIONS = [
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
]


@pytest.fixture
def fake_gateway():
    fake = FakeGateway()
    token = fake_token(
        sub="officer:btcd-01", name="Nguyễn Văn An", roles=["board"], officer="btcd-01", kind="district", unit="947"
    )
    fake.on(
        "POST",
        "/auth/token",
        200,
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "kind": "district",
            "unit": "947",
            "permissions": BOARD_PERMISSIONS,
        },
    )
    fake.on(
        "GET",
        "/roster/officers/btcd-01",
        200,
        {
            "code": "btcd-01",
            "full_name": "Nguyễn Văn An",
            "agency": "BTCD",
            "agency_name": "Ban Tiếp công dân huyện Mỹ Xuyên",
            "role": "board",
            "title": "",
            "active": True,
            "channels": [],
        },
    )
    yield fake
    fake.close()


@pytest.fixture
def make_token():
    """Make a token for the stand-in gateway to hand out: ``make_token(sub=..., officer=..., ...)``."""
    return fake_token


@pytest.fixture
def app(fake_gateway, tmp_path):
    from web import create_app

    return create_app(
        {
            "testing": True,
            "gateway_url": fake_gateway.url,
            "redis_url": "",
            "session_dir": tmp_path / "sessions",
            "secret_key": "test-secret-key-0123456789",
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signed_in(client):
    """A client signed in as btcd-01; returns (client, csrf token)."""
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    resp = client.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf})
    assert resp.status_code == 302, resp.data
    with client.session_transaction() as s:
        csrf = s["csrf"]
    return client, csrf


# --------------------------------------------------------------------------- the whole system, a browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def system(tmp_path_factory):
    """Every service, worker and the gateway, isolated (tests/harness.py)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from harness import System

    system = System(tmp_path_factory.mktemp("system"))
    try:
        system.prepare()
        system.start_all()
        yield system
    except BaseException:
        print(system.logs(80))
        raise
    finally:
        system.close()


@pytest.fixture(scope="session")
def web_url(system, tmp_path_factory):
    """The dashboard under gunicorn, as a separate process talking to the system's gateway."""
    workdir = tmp_path_factory.mktemp("web")
    port = _free_port()
    env = {
        **os.environ,
        "GATEWAY_URL": system.gateway,
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "1",
        "TIEPDAN_VAR_DIR": str(workdir),
        "WEB_SECRET_KEY": "e2e-" + os.urandom(8).hex(),
        "WEB_REFRESH_SECONDS": "2",
    }
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "web" / "gunicorn.conf.py")]
    with open(workdir / "web.log", "ab") as log:
        # From the repository's root, as the Procfile (`make run`) starts it.
        process = subprocess.Popen(
            gunicorn, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/livez", timeout=1).status_code == 200:
                break
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError((workdir / "web.log").read_text(errors="replace"))
        time.sleep(0.2)
    yield url
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(10)


@pytest.fixture
def browser():
    """Open headless Chromium windows (``browser()``); each has a fresh profile and is closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("headless browser tests need Debian's chromium and chromium-driver packages")
    opened = []

    def open_browser(width: int = 1366, height: int = 768):
        profile = tempfile.mkdtemp(prefix="tiepdan-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--lang=vi-VN",
        ):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_window_size(width, height)
        opened.append((driver, profile))
        return driver

    yield open_browser
    for driver, profile in opened:
        with contextlib.suppress(Exception):
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def screenshots():
    """Save a screenshot of the whole page under artifacts/screenshots/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shoot(driver, name: str) -> Path:
        """The viewport as ``<name>.png`` and the whole page as ``<name>-full.png``."""
        path = ARTIFACTS / f"{name}.png"
        driver.save_screenshot(str(path))
        width, height = driver.execute_script("return [window.innerWidth, document.documentElement.scrollHeight]")
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1},
            },
        )
        (ARTIFACTS / f"{name}-full.png").write_bytes(base64.b64decode(shot["data"]))
        return path

    return shoot
