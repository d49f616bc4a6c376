"""Configuration from the environment."""

import dataclasses
import datetime as dt

import pytest

from gateway.settings import GatewaySettings, load_gateway_settings
from tiepdan_common.clock import FakeClock
from tiepdan_common.config import ENV_KEY, Settings, SettingsError

VARIABLES = (
    "GATEWAY_DATABASE_URL",
    "DATABASE_URL",
    "GATEWAY_IDENTITY_KEYS",
    "GATEWAY_IDENTITY_KEY",
    "INTAKE_URL",
    "ROSTER_URL",
    "ESCALATION_URL",
    "NOTIFY_URL",
    "TOKEN_TTL_SECONDS",
    "UPSTREAM_CONNECT_TIMEOUT",
    "UPSTREAM_READ_TIMEOUT",
    "MAX_BODY_BYTES",
    "INTAKE_READ_TIMEOUT",
    "INTAKE_CONNECT_TIMEOUT",
    "RATE_LIMIT_COMMUNE",
    "REDIS_URL",
    "GATEWAY_SECRETS_KEYS",
    "BREAKER_FAILURES",
)


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIEPDAN_VAR_DIR", str(tmp_path))
    return monkeypatch


def test_defaults(env, tmp_path):
    env.setenv("DATABASE_URL", "postgresql://postgres@db/intake")  # a service's, in the same environment
    settings = load_gateway_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'gateway.db'}"
    assert [(u.name, u.url) for u in settings.upstreams] == [
        ("intake", "http://127.0.0.1:5101"),
        ("roster", "http://127.0.0.1:5102"),
        ("escalation", "http://127.0.0.1:5103"),
        ("notify", "http://127.0.0.1:5104"),
    ]
    assert all(u.connect_timeout == 2.0 and u.read_timeout == 30.0 for u in settings.upstreams)
    assert settings.token_ttl_seconds == 900 and settings.max_body_bytes == 1024 * 1024
    assert settings.identity_key  # the shared development default of tiepdan_common.config


def test_from_the_environment(env):
    env.setenv("GATEWAY_DATABASE_URL", "postgresql://postgres@db/gateway")
    env.setenv("GATEWAY_IDENTITY_KEYS", "new-key-0123456789abcdef0123456789,old-key-0123456789abcdef0123456789")
    env.setenv("ROSTER_URL", "http://roster-api:5102/")
    env.setenv("TOKEN_TTL_SECONDS", "300")
    env.setenv("UPSTREAM_CONNECT_TIMEOUT", "0.5")
    env.setenv("UPSTREAM_READ_TIMEOUT", "10")
    env.setenv("INTAKE_READ_TIMEOUT", "3")
    env.setenv("MAX_BODY_BYTES", "2048")
    settings = load_gateway_settings()
    assert settings.database_url == "postgresql://postgres@db/gateway"
    assert settings.identity_keys == ("new-key-0123456789abcdef0123456789", "old-key-0123456789abcdef0123456789")
    assert settings.identity_key == "new-key-0123456789abcdef0123456789"
    upstreams = {u.name: u for u in settings.upstreams}
    assert upstreams["roster"].url == "http://roster-api:5102"
    assert upstreams["intake"].read_timeout == 3.0 and upstreams["notify"].read_timeout == 10.0
    assert upstreams["notify"].connect_timeout == 0.5
    assert settings.token_ttl_seconds == 300 and settings.max_body_bytes == 2048


def test_unknown_override_is_refused(env):
    with pytest.raises(TypeError, match="token_tll"):
        load_gateway_settings({"token_tll": 5})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TOKEN_TTL_SECONDS", "soon"),
        ("UPSTREAM_READ_TIMEOUT", "30s"),
        ("INTAKE_CONNECT_TIMEOUT", "fast"),
        ("RATE_LIMIT_COMMUNE", "many"),
        ("BREAKER_FAILURES", "1.5"),
        ("INTAKE_URL", "intake-api:5101"),
        ("GATEWAY_SECRETS_KEYS", "not-a-fernet-key"),
    ],
)
def test_a_bad_value_stops_the_start_naming_its_variable(env, variable, value):
    env.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_gateway_settings()


def test_settings_are_typed_and_share_the_common_ones(env):
    """The shared settings (and the clock) are the base class's; each of the gateway's own names its variable."""
    env.setenv("RATE_LIMIT_COMMUNE", "7")
    env.setenv("BREAKER_FAILURES", "0")
    env.setenv("REDIS_URL", "")
    clock = FakeClock(dt.datetime(2026, 12, 6, 8, tzinfo=dt.UTC))
    settings = load_gateway_settings({"clock": clock})
    assert isinstance(settings, Settings) and settings.service == "gateway"
    assert settings.clock is clock
    assert settings.rate_limits["commune"] == 7 and settings.rate_limits["district"] == 1200
    assert settings.breaker_failures == 0 and settings.redis_url is None  # empty: no rate limits
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.token_ttl_seconds = 5  # type: ignore[misc]
    variables = {f.name: f.metadata.get(ENV_KEY) for f in dataclasses.fields(GatewaySettings)}
    assert variables["token_ttl_seconds"] == "TOKEN_TTL_SECONDS"
    assert variables["secrets_keys"] == "GATEWAY_SECRETS_KEYS"


def test_a_bad_gunicorn_value_stops_the_start_naming_its_variable(env):
    import runpy
    from pathlib import Path

    config = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"
    assert runpy.run_path(str(config))["workers"] == 2
    env.setenv("GATEWAY_WORKERS", "two")
    with pytest.raises(SettingsError, match="GATEWAY_WORKERS"):
        runpy.run_path(str(config))
