"""A three-node RabbitMQ cluster and a PostgreSQL primary with a streaming standby, on this machine.

Started from Debian's packages on ports of their own, beside the servers the
machine already runs (never touched), and removed when the test ends. The
recipes are those of the project's cluster notes: each RabbitMQ node needs its
own config and folders owned by ``rabbitmq``; the standby is a second
PostgreSQL cluster fed by ``pg_basebackup`` and promoted on failover.
Root is needed for both (as in CI).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

PG_VERSION = (
    next(iter(sorted(os.listdir("/usr/lib/postgresql"))), "15") if Path("/usr/lib/postgresql").exists() else "15"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(argv: list[str], timeout: float = 180, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def wait_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on {port} after {timeout:g} s")


def available() -> str | None:
    """Why the cluster suite cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "needs root (RabbitMQ nodes run as rabbitmq, PostgreSQL clusters as postgres)"
    for tool in ("rabbitmq-server", "rabbitmqctl", "pg_createcluster", "pg_ctlcluster", "pg_basebackup"):
        if not shutil.which(tool) and not Path(f"/usr/lib/postgresql/{PG_VERSION}/bin/{tool}").exists():
            return f"{tool} is not installed"
    return None


class RabbitCluster:
    """Three RabbitMQ nodes joined in one cluster."""

    def __init__(self, size: int = 3) -> None:
        self.tag = uuid.uuid4().hex[:6]
        self.base = Path(tempfile.mkdtemp(prefix=f"tq-rabbit-{self.tag}-"))
        self.nodes = [f"tq{self.tag}n{i}@localhost" for i in range(1, size + 1)]
        self.ports = {node: _free_port() for node in self.nodes}
        self.dist_ports = {node: _free_port() for node in self.nodes}

    def url(self) -> str:
        """Every node's address, separated by commas, as ``AMQP_URL`` takes them."""
        return ",".join(f"amqp://guest:guest@127.0.0.1:{port}/%2F" for port in self.ports.values())

    def ctl(self, node: str | None = None) -> list[str]:
        return ["rabbitmqctl", "-n", node or self.running()[0]]

    def _env(self, node: str) -> dict:
        d = self.base / node.split("@")[0]
        return {
            **os.environ,
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq"),
            "RABBITMQ_NODENAME": node,
            "RABBITMQ_NODE_PORT": str(self.ports[node]),
            "RABBITMQ_DIST_PORT": str(self.dist_ports[node]),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "plugins"),
            "RABBITMQ_PID_FILE": str(d / "pid"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(d / "ff"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(d / "expand"),
        }

    def start_node(self, node: str) -> None:
        d = self.base / node.split("@")[0]
        d.mkdir(exist_ok=True)
        (d / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.ports[node]}\nloopback_users = none\n"
        )
        _run(["chown", "-R", "rabbitmq:rabbitmq", str(self.base)])
        subprocess.run(["rabbitmq-server", "-detached"], env=self._env(node), capture_output=True, timeout=60)
        self._await(node)

    def _await(self, node: str, timeout: float = 180) -> None:
        """Until the node answers and has booted (a node still starting is not reachable at first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                _run(
                    ["rabbitmqctl", "-n", node, "-q", "await_startup", "--timeout", "30"], check=False, timeout=60
                ).returncode
                == 0
            ):
                wait_port(self.ports[node])
                return
            time.sleep(1)
        raise TimeoutError(f"RabbitMQ node {node} did not start in {timeout:g} s")

    def start(self) -> None:
        for node in self.nodes:
            self.start_node(node)
        for node in self.nodes[1:]:
            _run(["rabbitmqctl", "-n", node, "stop_app"])
            _run(["rabbitmqctl", "-n", node, "join_cluster", self.nodes[0]])
            _run(["rabbitmqctl", "-n", node, "start_app"])

    def stop_node(self, node: str) -> None:
        _run(["rabbitmqctl", "-n", node, "stop_app"])

    def restart_node(self, node: str) -> None:
        _run(["rabbitmqctl", "-n", node, "start_app"], timeout=180)
        self._await(node)

    def running(self) -> list[str]:
        up = []
        for node in self.nodes:
            if (
                _run(["rabbitmqctl", "-n", node, "-q", "ping"], check=False, timeout=30).returncode == 0
                and _run(
                    ["rabbitmqctl", "-n", node, "-q", "await_startup", "--timeout", "1"], check=False, timeout=30
                ).returncode
                == 0
            ):
                up.append(node)
        return up

    def leaders(self, prefix: str) -> dict[str, int]:
        """How many of this run's quorum queues each node leads."""
        out = _run([*self.ctl(), "list_queues", "-q", "--no-table-headers", "name", "leader"], check=False).stdout
        counts: dict[str, int] = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].startswith(prefix):
                counts[parts[1]] = counts.get(parts[1], 0) + 1
        return counts

    def members(self, queue: str) -> list[str]:
        out = _run([*self.ctl(), "list_queues", "-q", "--no-table-headers", "name", "members"], check=False).stdout
        for line in out.splitlines():
            if line.split(maxsplit=1)[0:1] == [queue]:
                return [m.strip(" []'\"") for m in line.split(maxsplit=1)[1].split(",") if m.strip(" []'\"")]
        return []

    def close(self) -> None:
        for node in self.nodes:
            subprocess.run(["rabbitmqctl", "-n", node, "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)


class PostgresPair:
    """A PostgreSQL primary and a standby that streams from it synchronously."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.primary, self.standby = f"tqp{tag}", f"tqs{tag}"
        self.ports = {self.primary: _free_port(), self.standby: _free_port()}

    def url(self, database: str = "postgres") -> str:
        """libpq's multi-host URL: whichever of the two takes writes now."""
        hosts = ",".join(f"127.0.0.1:{self.ports[c]}" for c in (self.primary, self.standby))
        return f"postgresql+psycopg://postgres@{hosts}/{database}?target_session_attrs=read-write"

    def primary_url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.ports[self.primary]}/{database}"

    def _conf(self, cluster: str) -> Path:
        return Path(f"/etc/postgresql/{PG_VERSION}/{cluster}")

    def _trust_tcp(self, cluster: str) -> None:
        hba = self._conf(cluster) / "pg_hba.conf"
        hba.write_text("host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n" + hba.read_text())

    def start(self) -> None:
        _run(["pg_createcluster", PG_VERSION, self.primary, "--port", str(self.ports[self.primary])])
        self._trust_tcp(self.primary)
        with (self._conf(self.primary) / "postgresql.conf").open("a") as conf:
            # An acknowledged commit is on the standby too: the loss of the primary loses none.
            conf.write(
                "synchronous_standby_names = '*'\nsynchronous_commit = on\nmax_connections = 300\n"
                "fsync = off\nfull_page_writes = off\n"
            )
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.primary, "start"])
        _run(["pg_createcluster", PG_VERSION, self.standby, "--port", str(self.ports[self.standby])])
        self._trust_tcp(self.standby)
        with (self._conf(self.standby) / "postgresql.conf").open("a") as conf:
            conf.write("max_connections = 300\nfsync = off\nfull_page_writes = off\n")
        data = Path(f"/var/lib/postgresql/{PG_VERSION}/{self.standby}")
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(mode=0o700)
        _run(["chown", "postgres:postgres", str(data)])
        _run(
            [
                "su",
                "postgres",
                "-c",
                f"pg_basebackup -h 127.0.0.1 -p {self.ports[self.primary]} -D {data} -R -X stream -c fast",
            ],
            timeout=300,
        )
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.standby, "start"])
        wait_port(self.ports[self.standby])

    def kill_primary(self) -> None:
        """The primary's server dies at once (immediate shutdown: no checkpoint, clients cut)."""
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.primary, "stop", "-m", "immediate"])

    def promote_standby(self) -> None:
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.standby, "promote"])

    def close(self) -> None:
        for cluster in (self.standby, self.primary):
            subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, cluster], capture_output=True, timeout=120)
