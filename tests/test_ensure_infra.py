"""scripts/ensure-infra.sh decides right: install what is missing as root, start what is stopped, else say what to run.

Nothing is installed or started for real: the script runs on a PATH of stand-in commands that only log
their arguments, probes free ports (down) or ports this test listens on (up), and looks for Debian's
PostgreSQL layout in temporary folders. Most cases use its dry run; one runs for real against the
stand-ins to check the edit of a new PostgreSQL's pg_hba.conf.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "ensure-infra.sh"
# What the script (and the stand-ins) need of the system besides the commands under test.
TOOLS = ("seq", "sleep", "ls", "sort", "tail", "basename", "dirname", "sed", "grep", "cat", "mkdir", "touch")
SERVICES = ("pg_ctlcluster", "pg_createcluster", "rabbitmq-server", "redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Machine:
    """A pretend Debian machine: which commands exist, whether we are root, which ports answer."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "calls.log"
        self.log.touch()
        self.pg_etc = root / "etc-postgresql"
        self.pg_lib = root / "lib-postgresql"
        self.ports = {"postgres": free_port(), "rabbitmq": free_port(), "redis": free_port()}
        self.listeners: list[socket.socket] = []
        self.uid = 1000
        for tool in TOOLS:
            (self.bin / tool).symlink_to(shutil.which(tool))
        self._stub("id", 'echo "$FAKE_UID"')

    def _stub(self, name: str, body: str = "") -> None:
        path = self.bin / name
        path.write_text(f'#!/bin/bash\necho "{name} $*" >> "$FAKE_LOG"\n{body}\n')
        path.chmod(0o755)

    def install(self, *commands: str, apt_get_body: str = "") -> None:
        for name in commands:
            self._stub(name, apt_get_body if name == "apt-get" else "")

    def postgresql_installed(self, version: str = "15", cluster: bool = True) -> None:
        self.install("pg_ctlcluster", "pg_createcluster")
        (self.pg_lib / version).mkdir(parents=True)
        if cluster:
            (self.pg_etc / version / "main").mkdir(parents=True)
            (self.pg_etc / version / "main" / "postgresql.conf").touch()

    def listen(self, *names: str) -> None:
        for name in names:
            server = socket.socket()
            server.bind(("127.0.0.1", self.ports[name]))
            server.listen()
            self.listeners.append(server)

    def run(self, *, dry_run: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": str(self.bin),
            "FAKE_LOG": str(self.log),
            "FAKE_UID": str(self.uid),
            "ENSURE_INFRA_DRY_RUN": "1" if dry_run else "0",
            "ENSURE_INFRA_POSTGRES_PORT": str(self.ports["postgres"]),
            "ENSURE_INFRA_RABBITMQ_PORT": str(self.ports["rabbitmq"]),
            "ENSURE_INFRA_REDIS_PORT": str(self.ports["redis"]),
            "ENSURE_INFRA_PG_ETC": str(self.pg_etc),
            "ENSURE_INFRA_PG_LIB": str(self.pg_lib),
            "PYTHON": sys.executable,
        }
        return subprocess.run(["/bin/bash", str(SCRIPT)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)

    def calls(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if not line.startswith("id ")]


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    machine = Machine(tmp_path)
    yield machine
    for listener in machine.listeners:
        listener.close()


def test_a_user_without_the_services_is_told_the_exact_commands(machine):
    result = machine.run()
    assert result.returncode == 1
    assert "PostgreSQL, RabbitMQ, Redis" in result.stderr
    assert "  sudo scripts/ensure-infra.sh\n" in result.stderr
    assert "apt-get install -y postgresql rabbitmq-server redis-server" in result.stderr
    assert machine.calls() == []


def test_root_installs_the_missing_packages_trusts_localhost_and_starts_them(machine):
    machine.uid = 0
    machine.install("apt-get")
    result = machine.run()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "would run: apt-get install -y -qq postgresql rabbitmq-server redis-server" in out
    assert "host all all 127.0.0.1/32 trust" in out
    assert "would run: pg_ctlcluster --skip-systemctl-redirect" in out
    assert "would run: rabbitmq-server -detached" in out
    assert f"would run: redis-server --daemonize yes --bind 127.0.0.1 --port {machine.ports['redis']}" in out
    assert machine.calls() == []  # a dry run runs nothing


def test_root_installs_only_what_is_missing(machine):
    machine.uid = 0
    machine.install("apt-get")
    machine.listen("postgres", "rabbitmq")
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert "would run: apt-get install -y -qq redis-server\n" in result.stdout
    assert "PostgreSQL" not in result.stdout.replace("PostgreSQL, RabbitMQ and Redis are up", "")
    assert "rabbitmq-server -detached" not in result.stdout


def test_installed_but_stopped_services_are_started_without_apt(machine):
    machine.uid = 0
    machine.install("apt-get", "rabbitmq-server", "redis-server")
    machine.postgresql_installed("15")
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert "apt-get" not in result.stdout
    assert "trust" not in result.stdout  # an existing PostgreSQL's access rules are its administrator's
    assert "would run: pg_ctlcluster --skip-systemctl-redirect 15 main start" in result.stdout
    assert "would run: rabbitmq-server -detached" in result.stdout


def test_a_user_with_a_stopped_postgresql_is_told_how_to_start_it(machine):
    machine.postgresql_installed("15")
    machine.install("rabbitmq-server", "redis-server")
    machine.listen("rabbitmq", "redis")
    result = machine.run()
    assert result.returncode == 1
    assert "Run: sudo pg_ctlcluster --skip-systemctl-redirect 15 main start" in result.stderr
    assert machine.calls() == []


def test_everything_up_does_nothing(machine):
    machine.listen("postgres", "rabbitmq", "redis")
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ensure-infra: PostgreSQL, RabbitMQ and Redis are up\n"


def test_root_without_apt_names_the_packages(machine):
    machine.uid = 0
    machine.listen("postgres", "rabbitmq")
    result = machine.run()
    assert result.returncode == 1
    assert "not installed: Redis; this is not Debian (no apt-get): install redis-server" in result.stderr


def test_a_new_postgresql_lets_localhost_in_first(machine):
    """For real, on stand-ins: apt-get lays out Debian's cluster, pg_ctlcluster start opens the port."""
    machine.uid = 0
    machine.listen("rabbitmq", "redis")
    hba = machine.pg_etc / "15" / "main" / "pg_hba.conf"
    machine.install(
        "apt-get",
        apt_get_body=f'if [ "$1" = install ]; then mkdir -p {machine.pg_lib}/15 {hba.parent}; '
        f"touch {hba.parent}/postgresql.conf; printf 'local all postgres peer\\nhost all all 127.0.0.1/32 scram-sha-256\\n' > {hba}; fi",
    )
    opener = (
        f"import socket, time; s = socket.socket(); s.bind(('127.0.0.1', {machine.ports['postgres']})); "
        "s.listen(); time.sleep(20)"
    )
    pid_file = machine.root / "postgres.pid"
    (machine.bin / "pg_ctlcluster").write_text(
        f'#!/bin/bash\necho "pg_ctlcluster $*" >> "$FAKE_LOG"\n'
        f'[ "$4" = start ] && {{ "$PYTHON" -c "{opener}" >/dev/null 2>&1 & echo $! > {pid_file}; }}\nexit 0\n'
    )
    (machine.bin / "pg_ctlcluster").chmod(0o755)
    machine.install("pg_createcluster")
    try:
        result = machine.run(dry_run=False)
        assert result.returncode == 0, result.stdout + result.stderr
        assert machine.calls() == [
            "apt-get update -qq",
            "apt-get install -y -qq postgresql",
            "pg_ctlcluster --skip-systemctl-redirect 15 main start",
        ]
        lines = hba.read_text().splitlines()
        assert lines[:2] == ["host all all 127.0.0.1/32 trust", "host all all ::1/128 trust"]
        assert lines[2:] == ["local all postgres peer", "host all all 127.0.0.1/32 scram-sha-256"]
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), 15)
