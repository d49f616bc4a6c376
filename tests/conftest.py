"""System tests: the whole tiepdan, started once per session, exercised through the gateway."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import System

DEMO = json.loads((Path(__file__).resolve().parents[1] / "demo" / "demo.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def system(tmp_path_factory):
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
def demo():
    return DEMO


def _client(demo, client_id):
    return next(c for c in demo["clients"] if c["client_id"] == client_id)


@pytest.fixture(scope="session")
def commune_token(system, demo):
    c = _client(demo, "commune-31684")  # Phường Mỹ Xuyên: a commune in force today
    return system.token(c["client_id"], c["client_secret"])


@pytest.fixture(scope="session")
def board_token(system, demo):
    c = _client(demo, "district-board")
    return system.token(c["client_id"], c["client_secret"])


@pytest.fixture(scope="session")
def officer_token(system, demo):
    def login(code):
        officer = next(o for o in demo["officers"] if o["code"] == code)
        return system.login(officer["username"], officer["password"])

    return login


@pytest.fixture(scope="session")
def admin_token(system, demo):
    c = _client(demo, "admin")
    return system.token(c["client_id"], c["client_secret"])


@pytest.fixture(scope="session")
def merged_schema(system):
    import schemathesis

    return schemathesis.openapi.from_url(f"{system.gateway}/api/v1/openapi.json")
