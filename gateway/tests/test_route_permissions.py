"""The gateway's route table and each service agree on every route's permission (issue #23).

Each service states the permission its ``require`` asks in its OpenAPI document
(``x-tiepdan-permission``, from the code); this test reads the documents as the services print them
(``flask openapi print``, one process each) and looks every operation up in :data:`gateway.access.ROUTE_TABLE`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import access

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "roster", "escalation", "notify")

# Disagreements the service's owner has yet to settle, each with the side that must change; an entry that
# no longer disagrees fails the test too, so that the list only shrinks.
KNOWN: dict[tuple[str, str], str] = {}
# Routes the service keeps to administrators by itself (intake's changes to reference data): not in the table.
ADMIN_ONLY = {
    ("POST", "/api/v1/intake/units"),
    ("PATCH", "/api/v1/intake/units/{unit_id}"),
    ("POST", "/api/v1/intake/unit-successions"),
    ("POST", "/api/v1/intake/calendar-years"),
    ("PUT", "/api/v1/intake/holidays/{date_text}"),
    ("DELETE", "/api/v1/intake/holidays/{date_text}"),
    ("POST", "/api/v1/intake/legal-rules"),
    ("GET", "/api/v1/intake/reference-changes"),
}


def _document(service: str, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "TIEPDAN_VAR_DIR": str(tmp_path),
        "REFERENCE_DIR": str(ROOT / "reference"),
        "INTAKE_ALLOW_DEV_IDENTITY_KEY": "true",
        "LOG_LEVEL": "ERROR",
        f"{service.upper()}_DATABASE_URL": f"sqlite:///{tmp_path / (service + '.db')}",
    }
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run(
        [str(flask), "--app", f"{service}:create_app()", "openapi", "print"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, dict]:
    return {name: _document(name, tmp_path_factory.mktemp(name)) for name in SERVICES}


def _disagreements(documents: dict[str, dict]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for service, doc in documents.items():
        for path, operations in doc["paths"].items():
            public_path = f"/api/v1/{service}{path}"
            for method, operation in operations.items():
                if method not in ("get", "post", "put", "patch", "delete") or path in ("/livez", "/readyz"):
                    continue
                method = method.upper()
                wanted = operation.get("x-tiepdan-permission")
                at_gateway = access.required_permission(method, _sample(public_path))
                public = access.is_public(method, _sample(public_path))
                key = (method, public_path)
                if public:
                    if wanted is not None:
                        found[key] = f"public at the gateway, {wanted!r} in the service"
                elif at_gateway is None and not (key in ADMIN_ONLY and wanted is None):
                    found[key] = f"not in the gateway's table (admin only); {wanted!r} in the service"
                elif wanted is not None and wanted != at_gateway:
                    found[key] = f"{at_gateway!r} at the gateway, {wanted!r} in the service"
    return found


def test_every_route_asks_the_same_permission_at_the_gateway_and_in_its_service(documents):
    found = _disagreements(documents)
    new = {k: v for k, v in found.items() if KNOWN.get(k) != v}
    settled = [k for k in KNOWN if k not in found]
    assert not new, "\n".join(f"{m} {p}: {why}" for (m, p), why in sorted(new.items()))
    assert not settled, f"settled, remove from KNOWN: {settled}"


def test_the_services_state_their_permissions(documents):
    stated = sum(
        "x-tiepdan-permission" in op
        for doc in documents.values()
        for ops in doc["paths"].values()
        for op in ops.values()
        if isinstance(op, dict)
    )
    assert stated >= 40  # every guarded operation of the four services
