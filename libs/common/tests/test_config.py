"""Typed settings: each field names its variable, a bad value stops the start naming it, tests override by name."""

import dataclasses
import datetime as dt

import pytest
from environs import Env
from flask import Flask

from tiepdan_common.clock import FakeClock, utcnow
from tiepdan_common.config import Settings, SettingsError, load_settings, setting
from tiepdan_common.db import Database
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers
from tiepdan_common.web import init_service_app, now


@dataclasses.dataclass(frozen=True, kw_only=True)
class SampleSettings(Settings):
    timeout: float = setting("SAMPLE_TIMEOUT", 2.0)
    attempts: int = setting("SAMPLE_ATTEMPTS", 3)
    enabled: bool = setting("SAMPLE_ENABLED", False)
    recipients: tuple[str, ...] = setting("SAMPLE_RECIPIENTS", ("a", "b"))
    hooks: dict = setting("SAMPLE_HOOKS", {})
    username: str | None = setting("SAMPLE_USERNAME", None)
    cc: tuple[str, ...] | None = setting("SAMPLE_CC", None)


def test_fields_are_read_from_their_variables_with_their_types(monkeypatch):
    monkeypatch.setenv("SAMPLE_TIMEOUT", "0.5")
    monkeypatch.setenv("SAMPLE_ATTEMPTS", "9")
    monkeypatch.setenv("SAMPLE_ENABLED", "true")
    monkeypatch.setenv("SAMPLE_RECIPIENTS", "x,y,z")
    monkeypatch.setenv("SAMPLE_HOOKS", '{"police": "http://127.0.0.1:1/p"}')
    monkeypatch.setenv("MAX_DELIVERY_ATTEMPTS", "7")
    settings = load_settings("sample", env=Env(), cls=SampleSettings)
    assert (settings.timeout, settings.attempts, settings.enabled) == (0.5, 9, True)
    assert settings.recipients == ("x", "y", "z")
    assert settings.hooks == {"police": "http://127.0.0.1:1/p"}
    assert settings.username is None
    assert settings.max_delivery_attempts == 7
    assert settings.clock is utcnow


def test_defaults_apply_when_the_environment_is_silent(monkeypatch):
    for name in ("SAMPLE_TIMEOUT", "SAMPLE_RECIPIENTS", "SAMPLE_HOOKS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings("sample", cls=SampleSettings)
    assert settings.timeout == 2.0
    assert settings.recipients == ("a", "b")
    assert settings.hooks == {}


def test_an_optional_list_is_none_when_unset_and_a_tuple_when_set(monkeypatch):
    monkeypatch.delenv("SAMPLE_CC", raising=False)
    assert load_settings("sample", cls=SampleSettings).cc is None
    monkeypatch.setenv("SAMPLE_CC", "p,q")
    assert load_settings("sample", cls=SampleSettings).cc == ("p", "q")


def test_a_value_that_does_not_parse_stops_the_start_naming_its_variable(monkeypatch):
    monkeypatch.setenv("SAMPLE_ATTEMPTS", "three")
    with pytest.raises(SettingsError, match="SAMPLE_ATTEMPTS"):
        load_settings("sample", cls=SampleSettings)


def test_an_override_by_field_name_wins_and_an_unknown_one_is_refused(monkeypatch):
    monkeypatch.setenv("SAMPLE_ATTEMPTS", "not a number, but overridden")
    settings = load_settings("sample", {"attempts": 1}, cls=SampleSettings)
    assert settings.attempts == 1
    with pytest.raises(TypeError, match="no setting named attemps"):
        load_settings("sample", {"attemps": 1}, cls=SampleSettings)


def test_the_app_clock_is_the_settings_clock(tmp_path):
    fake = FakeClock(dt.datetime(2026, 7, 1, 1, tzinfo=dt.UTC))
    settings = load_settings("t", {"identity_keys": (TEST_IDENTITY_KEY,), "clock": fake})
    app = Flask("t")
    init_service_app(app, settings=settings, db=Database(f"sqlite:///{tmp_path / 't.db'}"))

    @app.get("/now")
    def read_now():
        return {"now": now().isoformat()}

    client = app.test_client()
    assert client.get("/now", headers=identity_headers()).json["now"] == "2026-07-01T01:00:00+00:00"
    fake.advance(hours=2)
    assert client.get("/now", headers=identity_headers()).json["now"] == "2026-07-01T03:00:00+00:00"


def test_an_unreachable_database_answers_503_with_retry_after(tmp_path):
    from sqlalchemy.exc import OperationalError

    settings = load_settings("t", {"identity_keys": (TEST_IDENTITY_KEY,)})
    app = Flask("t")
    init_service_app(app, settings=settings, db=Database(f"sqlite:///{tmp_path / 't.db'}"))

    @app.get("/things")
    def things():
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))

    response = app.test_client().get("/things", headers=identity_headers())
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"
    assert "server closed" not in response.get_data(as_text=True)
