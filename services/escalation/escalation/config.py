"""Escalation settings: the shared ones plus escalation's own, from the environment."""

from __future__ import annotations

from pathlib import Path

from environs import Env

from tiepdan_common.config import Settings, load_settings


def load(overrides: dict | None = None) -> Settings:
    env = Env()
    extra = {
        "reference_dir": env.path("REFERENCE_DIR", Path.cwd() / "reference"),
        # A visit of at least this many citizens opens (or joins) a case.
        "mass_case_size": env.int("ESCALATION_MASS_CASE_SIZE", 5),
    }
    return load_settings("escalation", {"extra": extra, **(overrides or {})}, env=env)
