"""Configuration from the environment."""

import pytest

from gateway.settings import load_gateway_settings

VARIABLES = (
    "GATEWAY_DATABASE_URL",
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
)


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIEPDAN_VAR_DIR", str(tmp_path))
    return monkeypatch


def test_defaults(env, tmp_path):
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
    with pytest.raises(ValueError, match="unknown"):
        load_gateway_settings({"token_tll": 5})
