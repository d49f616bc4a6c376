"""Notify settings: the shared ones plus notify's own, from the environment."""

from __future__ import annotations

from environs import Env

from tiepdan_common.config import Settings, load_settings


def load(overrides: dict | None = None) -> Settings:
    env = Env()
    extra = {
        # Roster is asked through the gateway, like any client, with notify's own credentials.
        "gateway_url": env.str("NOTIFY_GATEWAY_URL", "http://127.0.0.1:8000"),
        "client_id": env.str("NOTIFY_CLIENT_ID", "svc-notify"),
        "client_secret": env.str("NOTIFY_CLIENT_SECRET", "demo-secret-svc-notify"),
        "roster_timeout": env.float("NOTIFY_ROSTER_TIMEOUT", 2.0),
        # Told when roster cannot answer: the reception board's standing officers.
        "fallback_recipients": tuple(env.list("NOTIFY_FALLBACK_RECIPIENTS", ["btcd-01", "btcd-02", "btcd-03"])),
    }
    return load_settings("notify", {"extra": extra, **(overrides or {})}, env=env)
