"""The dashboard under its real gunicorn (web/gunicorn.conf.py), as deployed, for the tests that need it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import requests

from tiepdan_common.testing import wait_for

WEB = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(url: str, process: subprocess.Popen, log: Path) -> bool:
    if process.poll() is not None:
        raise RuntimeError(log.read_text(errors="replace"))
    with contextlib.suppress(requests.RequestException):
        return requests.get(f"{url}/livez", timeout=1).status_code == 200
    return False


@contextlib.contextmanager
def dashboard(workdir: Path, **env: str) -> Iterator[str]:
    """Start gunicorn from the repository's root (as the Procfile does) with ``env``; yield its URL, stop it after."""
    port = free_port()
    environment = {
        **os.environ,
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "1",
        "TIEPDAN_VAR_DIR": str(workdir),
        "WEB_SECRET_KEY": "test-" + os.urandom(16).hex(),
        **env,
    }
    log = workdir / "web.log"
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(WEB / "gunicorn.conf.py")]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            gunicorn, env=environment, cwd=WEB.parent, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _alive(url, process, log), timeout=30, interval=0.2, message=f"gunicorn at {url}")
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
