"""Fixtures: a stand-in gateway for the app's unit tests, and the whole system with a browser for end to end.

The shared plugin gives ``client`` (from ``app`` here) and ``clock``; the stand-in gateway is tests/standin.py,
the dashboard under gunicorn tests/served.py.
"""

from __future__ import annotations

import base64
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tests' own modules (standin, served, samples)

from served import dashboard
from standin import BOARD_PERMISSIONS, FakeGateway, fake_token

pytest_plugins = ["tiepdan_common.pytest_plugin"]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


# --------------------------------------------------------------------------- the app against a stand-in gateway


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


# An administrator's permissions in the gateway's role table.
ADMIN_PERMISSIONS = [*BOARD_PERMISSIONS, "identity:read", "audit:read", "rules:write", "notices:write"]


@pytest.fixture
def admin_in(client, fake_gateway):
    """A client signed in as an administrator; returns (client, csrf token)."""
    token = fake_token(sub="admin-01", name="Quản trị viên", roles=[], kind="admin")
    fake_gateway.on(
        "POST",
        "/auth/token",
        200,
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "kind": "admin",
            "unit": None,
            "permissions": ADMIN_PERMISSIONS,
        },
    )
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    resp = client.post("/login", data={"username": "admin-01", "password": "x", "csrf_token": csrf})
    assert resp.status_code == 302, resp.data
    with client.session_transaction() as s:
        return client, s["csrf"]


# --------------------------------------------------------------------------- the whole system, a browser


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
    with dashboard(tmp_path_factory.mktemp("web"), GATEWAY_URL=system.gateway, WEB_REFRESH_SECONDS="2") as url:
        yield url


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
