"""Fixtures every service's tests share: ``database_url`` runs each test on SQLite and on PostgreSQL.

Enable with ``pytest_plugins = ["tiepdan_common.pytest_plugin"]`` in a conftest.
Set ``TIEPDAN_TEST_DATABASES=sqlite`` (or ``postgresql``) to run on one backend only.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .testing import postgres_database

REPO_ROOT = Path(__file__).resolve().parents[3]


def _backends() -> list[str]:
    return os.environ.get("TIEPDAN_TEST_DATABASES", "sqlite,postgresql").split(",")


@pytest.fixture(params=_backends())
def database_url(request, tmp_path):
    """A fresh, empty database of each backend, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.db'}"
    else:
        with postgres_database("svc_test") as url:
            yield url


@pytest.fixture
def reference_dir() -> Path:
    return REPO_ROOT / "reference"


@pytest.fixture
def demo_path() -> Path:
    return REPO_ROOT / "demo" / "demo.json"
