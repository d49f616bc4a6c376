"""Roster settings: the shared ones plus roster's own, from the environment."""

from __future__ import annotations

from pathlib import Path

from environs import Env

from tiepdan_common.config import Settings, load_settings


def load(overrides: dict | None = None) -> Settings:
    env = Env()
    extra = {
        "reference_dir": env.path("REFERENCE_DIR", Path.cwd() / "reference"),
    }
    return load_settings("roster", {"extra": extra, **(overrides or {})}, env=env)
