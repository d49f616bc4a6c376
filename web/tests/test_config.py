"""The dashboard's settings: typed, read once at start, a bad value stopping the start with its variable's name."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from tiepdan_common.config import SettingsError
from web import create_app
from web.config import WebSettings, load_settings


def test_the_defaults_make_a_local_run(monkeypatch, tmp_path):
    for name in ("GATEWAY_URL", "WEB_SECRET_KEY", "WEB_REDIS_URL", "WEB_SESSION_DIR", "WEB_REFRESH_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIEPDAN_VAR_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.gateway_url == "http://127.0.0.1:8000"
    assert settings.refresh_seconds == 5 and settings.session_seconds == 43200
    assert len(settings.secret_key) == 64  # random for this process when none is set
    assert settings.session_dir == tmp_path / "web-sessions"
    config = settings.flask_config()
    assert config["SESSION_TYPE"] == "cachelib" and config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Ho_Chi_Minh"


def test_values_come_typed_from_the_environment(monkeypatch):
    monkeypatch.setenv("GATEWAY_URL", "https://gw.example/")
    monkeypatch.setenv("WEB_GATEWAY_TIMEOUT", "2.5")
    monkeypatch.setenv("WEB_REFRESH_SECONDS", "15")
    monkeypatch.setenv("WEB_SECURE_COOKIES", "true")
    monkeypatch.setenv("WEB_REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("WEB_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("WEB_SESSION_DIR", "/srv/web-sessions")
    settings = load_settings()
    assert settings.gateway_url == "https://gw.example"
    assert settings.gateway_timeout == 2.5 and settings.refresh_seconds == 15 and settings.secure_cookies is True
    assert settings.session_dir == Path("/srv/web-sessions")
    config = settings.flask_config()
    assert config["SESSION_TYPE"] == "redis" and config["SESSION_COOKIE_SECURE"] is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.refresh_seconds = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WEB_REFRESH_SECONDS", "often"),
        ("WEB_REFRESH_SECONDS", "0"),
        ("WEB_GATEWAY_TIMEOUT", "-1"),
        ("WEB_SESSION_SECONDS", "5"),
        ("WEB_SECURE_COOKIES", "perhaps"),
        ("GATEWAY_URL", "gateway:8000"),
        ("WEB_SECRET_KEY", "change-me"),
        ("WEB_REDIS_URL", "http://127.0.0.1:6379"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_stops_the_start_naming_its_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        create_app()
    assert variable in str(caught.value)
    if variable == "WEB_SECRET_KEY":
        assert value not in str(caught.value)  # a secret is never written into a log


def test_overrides_are_by_field_name_and_checked_too(tmp_path):
    settings = load_settings({"gateway_url": "http://gw:1", "session_dir": tmp_path, "refresh_seconds": 2})
    assert (settings.gateway_url, settings.refresh_seconds) == ("http://gw:1", 2)
    with pytest.raises(TypeError, match="GATEWAY_TIMEOUT"):
        load_settings({"GATEWAY_TIMEOUT": 1})
    with pytest.raises(SettingsError, match="WEB_REFRESH_SECONDS"):
        load_settings({"refresh_seconds": 0})


def test_every_setting_but_testing_and_the_clock_names_its_variable():
    unnamed = [f.name for f in dataclasses.fields(WebSettings) if "env" not in f.metadata]
    assert unnamed == ["testing", "clock"]


def test_the_inbox_refreshes_as_the_setting_says(monkeypatch, signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/notify/inbox", 200, [])
    assert 'hx-trigger="every 5s"' in client.get("/inbox").get_data(as_text=True)
    monkeypatch.setitem(
        client.application.extensions["tiepdan_web"],
        "settings",
        dataclasses.replace(client.application.extensions["tiepdan_web"]["settings"], refresh_seconds=17),
    )
    assert 'hx-trigger="every 17s"' in client.get("/inbox").get_data(as_text=True)


@pytest.fixture
def clock_start():
    """The shared plugin's ``clock`` starts here."""
    return dt.datetime(2024, 3, 5, 2, 30, tzinfo=dt.UTC)


def test_the_pages_read_the_apps_clock(fake_gateway, tmp_path, clock):
    """Now on a form is the app's clock in Viet Nam's time (in a demo run, the services' shifted clock)."""
    app = create_app(
        {"testing": True, "gateway_url": fake_gateway.url, "redis_url": "", "session_dir": tmp_path, "clock": clock}
    )
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    client.post("/login", data={"username": "btcd-01", "password": "demo-btcd-01", "csrf_token": csrf})
    assert 'value="05/03/2024 09:30"' in client.get("/desk").get_data(as_text=True)
    clock.advance(hours=15)
    assert 'value="06/03/2024 00:30"' in client.get("/desk").get_data(as_text=True)
