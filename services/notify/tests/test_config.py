"""Notify's settings are typed fields read from ``NOTIFY_...`` variables; tests override them by name."""

import pytest

from notify import config
from tiepdan_common.config import SettingsError


def test_each_setting_is_read_from_its_variable_and_parsed_by_its_type(monkeypatch):
    monkeypatch.setenv("NOTIFY_SMTP_PORT", "2525")
    monkeypatch.setenv("NOTIFY_FALLBACK_RECIPIENTS", "btcd-07,btcd-08")
    monkeypatch.setenv("NOTIFY_WEBHOOKS", '{"police": "https://ca.example.vn/hook"}')
    monkeypatch.setenv("NOTIFY_SMTP_STARTTLS", "true")
    settings = config.load()
    assert settings.smtp_port == 2525
    assert settings.fallback_recipients == ("btcd-07", "btcd-08")
    assert settings.webhooks == {"police": "https://ca.example.vn/hook"}
    assert settings.smtp_starttls is True
    assert settings.sms_url is None  # no provider: SMS deliveries are skipped


def test_a_bad_value_stops_the_process_naming_its_variable(monkeypatch):
    monkeypatch.setenv("NOTIFY_SENDER_THREADS", "many")
    with pytest.raises(SettingsError, match="NOTIFY_SENDER_THREADS"):
        config.load()


def test_overrides_are_by_field_name_and_an_unknown_one_is_refused():
    assert config.load({"sender_threads": 2}).sender_threads == 2
    with pytest.raises(TypeError, match="extra"):
        config.load({"extra": {"sender_threads": 2}})
