"""The whole system, started for a test run: real processes, real RabbitMQ, real PostgreSQL databases.

Every run uses its own exchange, queue prefix, databases and ports, so two runs
on one machine never see each other. RabbitMQ is reached through a TCP proxy
that the tests can cut, which is how "the broker is down" looks to every
process without stopping the broker other runs share.

Notify's outside world is local too, each behind its own proxy: the mail sink
(aiosmtpd writing a Maildir, ``System.mails()``) and a stand-in for the SMS
provider's HTTP API (``SmsProvider``, ``System.sms.received()``). Refusing
connections at those proxies is "the SMTP server / SMS provider is unreachable";
the retry backoff of the system under test is short so that an outage of a few
seconds is retried many times and never gives a delivery up.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email
import email.message
import email.policy
import json
import mailbox
import os
import re
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from tiepdan_common.config import load_settings
from tiepdan_common.db import make_engine
from tiepdan_common.messaging import topology
from tiepdan_common.testing import isolated_broker_names, postgres_database

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVICES = ("intake", "roster", "escalation", "notify")
# notify's Message-ID carries the delivery id (32 hex digits) before "@tiepdan.local".
MESSAGE_ID_DELIVERY = re.compile(r"\.([0-9a-f]{32})@tiepdan\.local>")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpProxy:
    """Forwards a local port to a target.

    ``cut()`` drops every connection at once and refuses new ones (the broker is gone, mid-sentence);
    ``refuse()`` refuses new connections and lets the exchanges under way finish (a server that is down for
    whoever comes next); ``start()`` accepts again.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._refusing = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Accept connections (again); nothing to do if it already does."""
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        self._stop.clear()
        self._refusing.clear()
        self._thread = threading.Thread(target=self._accept_loop, args=(listener,), daemon=True)
        self._thread.start()

    def cut(self) -> None:
        """Close the listener and every open connection: the broker is gone."""
        self._stop.set()
        self._close_listener()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()

    def refuse(self) -> None:
        """Refuse new connections, and new requests on the connections kept open.

        What a client then sees is a server that is not there: its connection is refused, or closed,
        before the server has heard anything of its next request, as when a server that went down had
        closed its idle kept-alive connections. What the server is already answering still reaches the
        client: a connection cut in the middle of an exchange is another fault, since neither SMTP nor
        HTTP lets a client know whether a server that vanished before answering had kept its message.
        (A request is one exchange: an HTTP client and an SMTP client send the next only once they have
        the answer to the last, and a request that reaches the server only in part is not acted on.)
        """
        self._refusing.set()
        self._close_listener()

    def _close_listener(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave that thread
            # accepting on the old socket, and the port taken.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        try:
            sel.register(a, selectors.EVENT_READ, b)
            sel.register(b, selectors.EVENT_READ, a)
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.5):
                    data = key.fileobj.recv(65536)
                    if not data or (key.fileobj is a and self._refusing.is_set()):
                        return  # closed by either side, or a client's next request while refusing
                    key.data.sendall(data)
        except (OSError, ValueError):  # cut() closed the sockets under us
            return
        finally:
            sel.close()
            with self._lock, contextlib.suppress(ValueError):
                self._pairs.remove((a, b))
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()


class SmsProvider:
    """A stand-in for the SMS provider's HTTP API: ``POST /sms`` with a JSON ``{to, text, ref}``.

    It keeps every SMS it accepted, in order (``received()``), and answers 200 with its own id, as a
    provider does; a body it cannot read is refused with 400. It runs in the test process, reached by
    notify through ``System.sms_proxy``.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self._received: list[dict] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # connections are kept alive, as real providers do

            def setup(self) -> None:
                super().setup()
                # Headers and body go as two writes: without this, Nagle's algorithm would hold the body
                # back until notify's delayed ACK, 40 ms later.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                if self.path != "/sms" or not isinstance(body, dict) or not body.get("to") or not body.get("text"):
                    return self._answer(400, {"error": "expected POST /sms with JSON {to, text}"})
                with provider._lock:
                    provider._received.append(body)
                    number = len(provider._received)
                self._answer(200, {"status": "accepted", "id": f"sms-{number}"})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # quiet: the test reads received() instead
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def received(self) -> list[dict]:
        with self._lock:
            return list(self._received)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class System:
    """Starts, stops and talks to the processes of one isolated tiepdan."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.names = isolated_broker_names("sys")
        self.proxy = TcpProxy(("127.0.0.1", 5672))
        self.identity_key = secrets.token_hex(32)
        self.intake_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()  # a Fernet key
        self.ports = {name: free_port() for name in ("gateway", "smtp", *SERVICES)}
        # Notify reaches the mail sink and the SMS provider through proxies a test can make refuse.
        self.smtp_proxy = TcpProxy(("127.0.0.1", self.ports["smtp"]))
        self.sms = SmsProvider()
        self.sms_proxy = TcpProxy(("127.0.0.1", self.sms.port))
        self.processes: dict[str, subprocess.Popen] = {}
        self.db_urls: dict[str, str] = {}
        self.extra_env: dict[str, str] = {}
        # Today's structure; the 2024 plan's demo runs with the clock in its period (TIEPDAN_CLOCK_OFFSET_SECONDS).
        self.demo_file = ROOT / "demo" / "demo.json"
        # False: the processes reach the broker, the mail sink and the SMS provider directly, for a
        # benchmark that cuts nothing and should not pay for the proxies' forwarding threads.
        self.through_proxies = True
        self._stack = contextlib.ExitStack()

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def env(self, name: str | None = None) -> dict:
        via = self.through_proxies
        broker, smtp, sms = (
            (self.proxy.port, self.smtp_proxy.port, self.sms_proxy.port)
            if via
            else (self.proxy.target[1], self.smtp_proxy.target[1], self.sms_proxy.target[1])
        )
        env = {
            **os.environ,
            "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{broker}/%2F",
            "EVENT_EXCHANGE": self.names["exchange"],
            "QUEUE_PREFIX": self.names["queue_prefix"],
            "GATEWAY_IDENTITY_KEY": self.identity_key,
            "REFERENCE_DIR": str(ROOT / "reference"),
            "TIEPDAN_VAR_DIR": str(self.workdir),
            "LOG_LEVEL": "INFO",
            "OUTBOX_POLL_SECONDS": "0.05",
            "GATEWAY_DATABASE_URL": self.db_urls.get("gateway", ""),
            "NOTIFY_GATEWAY_URL": self.gateway,
            "ESCALATION_GATEWAY_URL": self.gateway,
            "ROSTER_GATEWAY_URL": self.gateway,
            "GATEWAY_WORKERS": "1",
            # The suites (fuzzing above all) send far more than a person would: limits are tested in gateway/.
            "RATE_LIMIT_ADMIN": "1000000",
            "RATE_LIMIT_DISTRICT": "1000000",
            "RATE_LIMIT_COMMUNE": "1000000",
            "RATE_LIMIT_TOKEN": "100000",
            "INTAKE_IDENTITY_KEYS": self.intake_key,
            "NOTIFY_ACK_SECRET": self.identity_key[:32],
            "NOTIFY_SMTP_PORT": str(smtp),
            "NOTIFY_SMS_URL": f"http://127.0.0.1:{sms}/sms",
            # The provider's client reference is the delivery: what it received is reconciled one by one.
            "NOTIFY_SMS_BODY": '{"to": {{ to|tojson }}, "text": {{ text|tojson }}, "ref": {{ delivery_id|tojson }}}',
            # Retries in seconds, not minutes, and many of them: a few seconds' outage of the mail server
            # or the SMS provider is retried several times and gives nothing up.
            "NOTIFY_RETRY_BASE_SECONDS": "0.5",
            "NOTIFY_RETRY_MAX_SECONDS": "2",
            "NOTIFY_DELIVERY_MAX_ATTEMPTS": "30",
            "NOTIFY_DELIVERY_POLL_SECONDS": "0.2",
        }
        for service in SERVICES:
            env[f"{service.upper()}_URL"] = f"http://127.0.0.1:{self.ports[service]}"
            env[f"{service.upper()}_BIND"] = f"127.0.0.1:{self.ports[service]}"
            env[f"{service.upper()}_WORKERS"] = "1"
        env["GATEWAY_BIND"] = f"127.0.0.1:{self.ports['gateway']}"
        if name in SERVICES:
            env["DATABASE_URL"] = self.db_urls[name]
        env.update(self.extra_env)
        return env

    # Setting up.

    def prepare(self) -> None:
        """Databases, migrations, seed data, broker topology; the proxies and the SMS provider."""
        self.proxy.start()
        self.sms.start()
        self.smtp_proxy.start()
        self.sms_proxy.start()
        for name in (*SERVICES, "gateway"):
            self.db_urls[name] = self._stack.enter_context(postgres_database(f"sys_{name}"))
        demo = str(self.demo_file)
        for service in SERVICES:
            seed_args = ["--demo", demo] if service == "roster" else []
            for args in (["migrate"], ["seed", *seed_args], ["declare-topology"]):
                self._run([str(BIN / "flask"), "--app", service, *args], service)
        self._run([str(BIN / "python"), "-m", "gateway", "migrate"], "gateway")
        self._run([str(BIN / "python"), "-m", "gateway", "seed-demo", demo], "gateway")

    def _run(self, argv: list[str], name: str) -> None:
        result = subprocess.run(argv, env=self.env(name), cwd=ROOT, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")

    def commands(self) -> dict[str, list[str]]:
        gunicorn = str(BIN / "gunicorn")
        cmds = {
            "mail-sink": [
                str(BIN / "python"),
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.ports['smtp']}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(self.workdir / "mail"),
            ],
            "gateway": [gunicorn, "-c", str(ROOT / "gateway" / "gunicorn.conf.py")],
        }
        for service in SERVICES:
            cmds[f"{service}-api"] = [gunicorn, "-c", str(ROOT / "services" / service / "gunicorn.conf.py")]
            cmds[f"{service}-worker"] = [str(BIN / f"{service}-worker")]
        cmds["notify-sender"] = [str(BIN / "notify-sender")]
        return cmds

    def start(self, name: str, *, as_name: str | None = None) -> None:
        """Start process ``name`` (``as_name`` runs another replica of it under that name)."""
        service = name.split("-")[0]
        label = as_name or name
        with open(self.workdir / f"{label}.log", "ab") as log:  # the child keeps its own descriptor
            self.processes[label] = subprocess.Popen(
                self.commands()[name],
                env=self.env(service),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_all(self) -> None:
        for name in self.commands():
            self.start(name)
        for _ in range(3):
            clashed = self._port_clashes()
            if not clashed:
                break
            # Another process took a port between free_port() and bind: pick new ones and restart.
            for name in clashed:
                self.kill(name, signal.SIGTERM)
                self.ports[name.split("-")[0]] = free_port()
            restart = set(clashed) | ({"gateway"} if any(n != "gateway" for n in clashed) else set())
            for name in restart:
                if name in self.processes:
                    self.kill(name, signal.SIGTERM)
                self.start(name)
        self.wait_healthy()

    def _port_clashes(self, settle: float = 3.0) -> list[str]:
        """APIs whose log says their port was taken."""
        time.sleep(settle)
        clashed = []
        for name in ("gateway", *(f"{s}-api" for s in SERVICES)):
            log = self.workdir / f"{name}.log"
            if log.exists() and "Address already in use" in log.read_text(errors="replace"):
                log.write_text("")
                clashed.append(name)
        return clashed

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        urls = [f"http://127.0.0.1:{self.ports[n]}/livez" for n in SERVICES] + [f"{self.gateway}/livez"]
        for url in urls:
            while True:
                with contextlib.suppress(requests.RequestException):
                    if requests.get(url, timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not come up:\n{self.logs()}")
                time.sleep(0.2)

    def kill(self, name: str, sig: int = signal.SIGKILL, timeout: float = 20.0) -> None:
        """Signal the process and its children (a gunicorn master and its workers), and wait until they are
        all gone: waiting for the master alone, a worker could still hold the service's port open (and
        accept a connection it would then drop) when the caller goes on. A worker given SIGTERM may take its
        own shutdown bound (10 s, ``tiepdan_common.worker``) before it exits: the default waits longer."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        raise RuntimeError(f"{name}: processes of group {process.pid} still alive {timeout:g} s after signal {sig}")

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)

    def logs(self, tail: int = 40) -> str:
        out = []
        for path in sorted(self.workdir.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-tail:]
            out.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(out)

    def mails(self) -> list[email.message.EmailMessage]:
        """Every mail the sink has stored, as parsed messages."""
        folder = self.workdir / "mail"
        if not folder.exists():
            return []
        box = mailbox.Maildir(
            folder, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default), create=False
        )
        return list(box)

    def close(self) -> None:
        self.stop_all()
        self.proxy.cut()
        self.smtp_proxy.cut()
        self.sms_proxy.cut()
        self.sms.close()
        with contextlib.suppress(Exception):
            self.delete_broker_objects()
        self._stack.close()

    def delete_broker_objects(self) -> None:
        """Delete every queue and exchange this run declared (they all carry its unique prefix)."""
        prefix = self.names["queue_prefix"]
        listed = subprocess.run(
            ["rabbitmqctl", "list_queues", "-q", "--no-table-headers", "name"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.split()
        queues = [q for q in listed if q.startswith(prefix)]
        settings = load_settings("sys", self.names)
        specs = [topology.QueueSpec(name=q, bindings=()) for q in queues if not q.endswith(".dlq")]
        topology.delete_all(settings, specs)

    # Talking to it, as a client of the gateway would.

    def token(self, client_id: str, secret: str) -> str:
        resp = requests.post(
            f"{self.gateway}/api/v1/auth/token",
            timeout=10,
            json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        resp.raise_for_status()
        return resp.json()["access_token"]

    def login(self, username: str, password: str) -> str:
        resp = requests.post(
            f"{self.gateway}/api/v1/auth/token",
            timeout=10,
            json={"grant_type": "password", "username": username, "password": password},
        )
        resp.raise_for_status()
        return resp.json()["access_token"]

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, f"{self.gateway}{path}", headers=headers, timeout=15, **kwargs)


class Reconciliation:
    """After the dust settles: what the API accepted is in every place it should be, exactly once."""

    def __init__(self, system: System) -> None:
        import sqlalchemy as sa

        self.sa = sa
        self.system = system
        self.engines = {name: make_engine(url, pool_size=1, max_overflow=2) for name, url in system.db_urls.items()}
        # The broker's command line for this run's nodes (a cluster test names one of its own).
        self.rabbitmqctl: list[str] = ["rabbitmqctl"]

    def scalar(self, db: str, sql: str, **params):
        with self.engines[db].connect() as conn:
            return conn.execute(self.sa.text(sql), params).scalar()

    def rows(self, db: str, sql: str, **params):
        with self.engines[db].connect() as conn:
            return conn.execute(self.sa.text(sql), params).all()

    def pending_outbox(self) -> dict[str, int]:
        return {
            db: self.scalar(db, "SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
            for db in ("intake", "escalation", "notify", "roster")
        }

    def dead_letters(self) -> dict[str, int]:
        """Messages sitting in this run's dead-letter queues."""
        out = subprocess.run(
            [*self.rabbitmqctl, "list_queues", "-q", "--no-table-headers", "name", "messages"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        counts = {}
        for line in out.splitlines():
            parts = line.split()
            if (
                len(parts) == 2
                and parts[0].startswith(self.system.names["queue_prefix"])
                and (parts[0].endswith(".dlq") or parts[0].endswith(".unrouted"))
            ):
                counts[parts[0]] = int(parts[1])
        return counts

    def check(self, visits: list[dict], *, timeout: float = 60.0) -> dict:
        """Wait until every effect has happened, then assert each happened exactly once."""
        mass = {v["id"] for v in visits if v["group_size"] >= 5}
        small = {v["id"] for v in visits} - mass
        deadline = time.monotonic() + timeout
        while True:
            linked = dict(
                self.rows(
                    "escalation",
                    "SELECT source_id, count(*) FROM case_sources WHERE source_type = 'visit' GROUP BY source_id",
                )
            )
            cases = [r[0] for r in self.rows("escalation", "SELECT id FROM cases")]
            told = dict(
                self.rows(
                    "notify",
                    "SELECT case_id, count(DISTINCT recipient) FROM inbox_messages "
                    "WHERE event_type = 'escalation.case.opened' GROUP BY case_id",
                )
            )
            settled = mass <= set(linked) and all(c in told for c in cases) and not any(self.pending_outbox().values())
            if settled or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        stored = {r[0] for r in self.rows("intake", "SELECT id FROM visits")}
        assert {v["id"] for v in visits} <= stored, "an accepted visit is missing from intake"
        missing = mass - set(linked)
        assert not missing, f"{len(missing)} mass visits produced no case effect"
        assert all(linked[v] == 1 for v in mass), "a mass visit was linked to a case more than once"
        assert not (small & set(linked)), "a small visit opened or joined a case"
        assert all(c in told for c in cases), "a case was opened but nobody was told"
        open_twice = self.rows(
            "escalation",
            "SELECT matter_key, count(*) FROM cases WHERE status <> 'closed' GROUP BY matter_key HAVING count(*) > 1",
        )
        assert not open_twice, f"a matter has more than one open case: {open_twice}"
        duplicates = self.rows(
            "notify",
            "SELECT case_id, recipient, count(*) FROM inbox_messages "
            "WHERE event_type = 'escalation.case.opened' "
            "GROUP BY case_id, recipient HAVING count(*) > 1",
        )
        assert not duplicates, f"someone was told twice: {duplicates}"
        # Timers keep writing events (check-ins, reminders): each must be published soon, not none be pending.
        drained = time.monotonic() + 10
        while any(self.pending_outbox().values()) and time.monotonic() < drained:
            time.sleep(0.2)
        assert not any(self.pending_outbox().values()), f"unpublished events: {self.pending_outbox()}"
        assert not any(self.dead_letters().values()), f"dead letters: {self.dead_letters()}"
        return {"visits": len(visits), "mass": len(mass), "cases": len(cases)}

    def arrivals(self) -> dict[str, dict[str, list]]:
        """What actually arrived, by delivery id: the mails at the sink (notify puts the delivery id in the
        Message-ID) and the SMS at the provider (the client reference is the delivery id)."""
        out: dict[str, dict[str, list]] = {"email": {}, "sms": {}}
        for mail in self.system.mails():
            found = MESSAGE_ID_DELIVERY.search(mail.get("Message-ID", ""))
            assert found, f"a mail without a delivery id reached the sink: {mail.get('Message-ID')!r}"
            out["email"].setdefault(str(uuid.UUID(found.group(1))), []).append(mail)
        for sms in self.system.sms.received():
            out["sms"].setdefault(sms.get("ref"), []).append(sms)
        return out

    def check_deliveries(self, since: dt.datetime, *, timeout: float = 60.0) -> dict:
        """The SMS and email deliveries of every message created from ``since`` until now: wait until none is
        pending, then assert each was sent and arrived exactly once (at the mail sink, at the SMS provider) at
        the address it was sent to, with its message's acknowledgement code, that its attempt log is failures
        then its one success, and that no delivery anywhere is dead.

        An officer without an address on a channel is skipped there, as notify does; a cancelled delivery
        (its message acknowledged first) counts as a failure here: the scenarios acknowledge nothing.
        Returns counts, the kinds of error logged, and ``per_message``: {message id: {channel: arrivals}}.
        """
        window = {"since": since, "until": dt.datetime.now(dt.UTC)}
        scope = (
            "FROM deliveries d JOIN inbox_messages m ON m.id = d.message_id "
            "WHERE m.created_at >= :since AND m.created_at <= :until AND d.channel IN ('sms', 'email')"
        )
        deadline = time.monotonic() + timeout
        while (
            self.scalar("notify", f"SELECT count(*) {scope} AND d.status = 'pending'", **window)
            and time.monotonic() < deadline
        ):
            time.sleep(0.5)
        deliveries = self.rows(
            "notify",
            f"SELECT d.id, d.message_id, d.channel, d.address, d.status, d.attempts, "
            f"m.ack_code {scope} ORDER BY d.created_at",
            **window,
        )
        attempts: dict[str, list] = {}
        for delivery_id, ok, error in self.rows(
            "notify",
            f"SELECT a.delivery_id, a.ok, a.error FROM delivery_attempts a WHERE a.delivery_id IN "
            f"(SELECT d.id {scope}) ORDER BY a.delivery_id, a.number",
            **window,
        ):
            attempts.setdefault(delivery_id, []).append((ok, error))
        arrived = self.arrivals()

        pending = [d.id for d in deliveries if d.status == "pending"]
        assert not pending, f"{len(pending)} deliveries still pending after {timeout} s"
        unsent = [
            (d.id, d.channel, d.status)
            for d in deliveries
            if d.status != "sent" and not (d.status == "skipped" and d.address is None)
        ]
        assert not unsent, f"deliveries not sent: {unsent}"
        per_message: dict[str, Counter] = {}
        retried = Counter()
        for d in deliveries:
            copies = arrived[d.channel].get(d.id, [])
            per_message.setdefault(d.message_id, Counter())[d.channel] += len(copies)
            if d.status != "sent":
                assert not copies, f"a {d.status} {d.channel} delivery {d.id} arrived {len(copies)} times"
                continue
            assert len(copies) == 1, f"the {d.channel} delivery {d.id} was sent but arrived {len(copies)} times"
            (copy,) = copies
            if d.channel == "email":
                assert copy["To"] == d.address, f"mail {d.id} went to {copy['To']}, not {d.address}"
                assert d.ack_code in copy.get_content(), f"mail {d.id} lacks its acknowledgement code"
            else:
                assert copy["to"] == d.address, f"SMS {d.id} went to {copy['to']}, not {d.address}"
                assert copy["text"].endswith(d.ack_code), f"SMS {d.id} lacks its acknowledgement code"
            log = attempts.get(d.id, [])
            assert len(log) == d.attempts and log and log[-1][0] and not any(ok for ok, _ in log[:-1]), (
                f"the attempt log of {d.id} is not failures then one success: {log}"
            )
            if len(log) > 1:
                retried[d.channel] += 1
        dead = self.rows("notify", "SELECT id, channel, recipient, last_error FROM deliveries WHERE status = 'dead'")
        assert not dead, f"dead deliveries: {dead}"
        return {
            "deliveries": len(deliveries),
            "retried": dict(retried),
            "failed_attempts": sum(1 for log in attempts.values() for ok, _ in log if not ok),
            "errors": sorted({error.split(":")[0] for log in attempts.values() for ok, error in log if not ok}),
            "per_message": {m: dict(c) for m, c in per_message.items()},
        }

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
