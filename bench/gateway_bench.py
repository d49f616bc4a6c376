"""What the gateway costs: the same GET /api/v1/intake/visits?limit=20, directly and through the gateway.

Starts what it needs itself, on free ports of 127.0.0.1, and removes it at the end:
a throwaway PostgreSQL database for intake and one for the gateway (migrated, the
demo accounts seeded), the intake API (gunicorn, ``--intake-workers``) holding
``--visits`` visits of commune 31684, and the gateway (gunicorn, ``--gateway-workers``).
No broker is needed: the intake worker is not started, the outbox just fills.

Then, in rounds that alternate the two targets (so both see the same load of the
machine), it runs Debian's ``wrk`` (``apt-get install -y wrk``):

* throughput: ``--connections`` connections for ``--seconds`` each;
* latency: one connection, ``--seconds`` runs of one second on each target taken in
  turn, median and p99; what the gateway adds is the median over every pair of
  neighbouring slices of gateway p50 - direct p50 (the load of a shared machine
  drifts less within two seconds than within a round);

directly against intake with an ``X-Tiepdan-Identity`` signed by
``tiepdan_common.identity.sign_identity`` (long ttl), and through the gateway with
a bearer token of the same commune. It prints each round and the medians over the
rounds: throughput of each and their ratio, latency of each and what the gateway adds,
and the CPU time the gateway's and intake's processes spent per request (from /proc).

Last, a paired latency run: one keep-alive connection to each, requests alternating
direct / gateway from one Python client, for ``4 x --seconds``; the median of the
per-pair differences (with its quartiles) is the added latency least disturbed by a
busy machine; the gateway's CPU time per request during that run is printed with it.

    .venv/bin/python bench/gateway_bench.py
    .venv/bin/python bench/gateway_bench.py --rounds 5 --seconds 8 --connections 16
    .venv/bin/python bench/gateway_bench.py --echo   # a trivial service instead of intake

Rate limits stay on (counted in Redis, in the background as in production) with a
limit high enough never to answer 429 during the run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests
from _report import goal
from cryptography.fernet import Fernet

from tiepdan_common.identity import Identity, sign_identity
from tiepdan_common.testing import postgres_database

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEMO = ROOT / "demo" / "demo.json"
PATH = "/visits?limit=20"
COMMUNE = "commune-31684"


# --echo: a trivial aiohttp service answering every request with a fixed list of 20 items (~1.5 kB),
# to see the gateway's own cost without intake's.
ECHO = """
import sys
from aiohttp import web
BODY = b'{"items": [' + b",".join([b'{"id": 1, "text": "' + b"x" * 60 + b'"}'] * 20) + b']}'
async def handle(request):
    return web.Response(body=BODY, content_type="application/json")
app = web.Application()
app.router.add_route("*", "/{tail:.*}", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(argv: list[str], env: dict) -> None:
    result = subprocess.run(argv, check=False, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")


def wait_live(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def wrk(url: str, header: str, *, connections: int, seconds: int) -> dict:
    """One wrk run: requests per second, p50 and p99 in ms, the request and non-2xx counts."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", "-H", header, url]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    count = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "count": count,
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_ms(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children that still run, in ms."""
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) * 1000 / _TICK
            for task in Path(f"/proc/{current}/task").iterdir():
                pids.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


def paired(direct: tuple[str, str], gateway: tuple[str, str], *, seconds: float, max_pairs: int) -> dict:
    """One keep-alive connection to each; alternately one request direct and one through the gateway.
    The median of the per-pair differences is the added latency, robust to the load of the machine drifting."""
    conns, heads = [], []
    for url, header in (direct, gateway):
        parts = urlsplit(url)
        conns.append(
            (http.client.HTTPConnection(parts.hostname, parts.port, timeout=10), f"{parts.path}?{parts.query}")
        )
        name, _, value = header.partition(": ")
        heads.append({name: value})
    times: list[list[float]] = [[], []]
    deadline = time.monotonic() + seconds
    n = 0
    while n < max_pairs and time.monotonic() < deadline:
        order = (0, 1) if n % 2 == 0 else (1, 0)
        for i in order:
            conn, target = conns[i]
            started = time.perf_counter()
            conn.request("GET", target, headers=heads[i])
            resp = conn.getresponse()
            resp.read()
            times[i].append((time.perf_counter() - started) * 1000)
            if resp.status != 200:
                raise RuntimeError(f"paired run: {resp.status}")
        n += 1
    for conn, _target in conns:
        conn.close()
    diffs = [g - d for d, g in zip(times[0], times[1], strict=True)]
    q1, _q2, q3 = statistics.quantiles(diffs, n=4)
    return {
        "pairs": n,
        "direct_p50": statistics.median(times[0]),
        "gateway_p50": statistics.median(times[1]),
        "added_p50": statistics.median(diffs),
        "added_q1": q1,
        "added_q3": q3,
    }


class Bench:
    """The processes of one run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="tiepdan-gwbench-"))
        self.identity_key = secrets.token_hex(32)
        self.ports = {"intake": free_port(), "gateway": free_port()}
        self.procs: list[subprocess.Popen] = []
        self.stack = contextlib.ExitStack()

    def env(self, db_urls: dict[str, str]) -> dict:
        intake = f"http://127.0.0.1:{self.ports['intake']}"
        return {
            **os.environ,
            "GATEWAY_IDENTITY_KEY": self.identity_key,
            "REFERENCE_DIR": str(ROOT / "reference"),
            "TIEPDAN_VAR_DIR": str(self.workdir),
            "LOG_LEVEL": self.args.log_level,
            "DATABASE_URL": db_urls["intake"],
            "INTAKE_IDENTITY_KEYS": Fernet.generate_key().decode(),  # intake's key for citizens' identities
            "INTAKE_BIND": f"127.0.0.1:{self.ports['intake']}",
            "INTAKE_WORKERS": str(self.args.intake_workers),
            "INTAKE_URL": intake,
            "GATEWAY_DATABASE_URL": db_urls["gateway"],
            "GATEWAY_BIND": f"127.0.0.1:{self.ports['gateway']}",
            "GATEWAY_WORKERS": str(self.args.gateway_workers),
            "RATE_LIMIT_PREFIX": f"tiepdan:gateway-bench:{uuid.uuid4().hex}:",
            "RATE_LIMIT_COMMUNE": str(10**9),
            # An unused broker name: the API publishes nothing itself (the outbox waits for a worker).
            "EVENT_EXCHANGE": f"gwbench-{uuid.uuid4().hex[:8]}",
        }

    def start(self, argv: list[str], env: dict, name: str) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def setup(self) -> tuple[str, str]:
        """Databases, processes, visits; the headers for the direct and the gateway runs."""
        db_urls = {
            name: self.stack.enter_context(postgres_database(f"gwbench_{name}")) for name in ("intake", "gateway")
        }
        env = self.env(db_urls)
        if self.args.echo:
            intake = self.start([sys.executable, "-c", ECHO, str(self.ports["intake"])], env, "echo")
        else:
            run([str(BIN / "flask"), "--app", "intake", "migrate"], env)
            run([str(BIN / "flask"), "--app", "intake", "seed"], env)
            intake = self.start(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "services/intake/gunicorn.conf.py")], env, "intake"
            )
        run([str(BIN / "python"), "-m", "gateway", "migrate"], env)
        run([str(BIN / "python"), "-m", "gateway", "seed-demo", str(DEMO)], env)
        gateway = self.start([str(BIN / "gunicorn"), "-c", str(ROOT / "gateway/gunicorn.conf.py")], env, "gateway")
        wait_live(f"{self.direct}/livez", intake)
        wait_live(f"http://127.0.0.1:{self.ports['gateway']}/livez", gateway)

        demo = json.loads(DEMO.read_text("utf-8"))
        client = next(c for c in demo["clients"] if c["client_id"] == COMMUNE)
        resp = requests.post(
            f"http://127.0.0.1:{self.ports['gateway']}/api/v1/auth/token",
            timeout=30,
            json={"grant_type": "client_credentials", "client_id": COMMUNE, "client_secret": client["client_secret"]},
        )
        resp.raise_for_status()
        token = resp.json()
        identity = Identity(
            subject=COMMUNE, kind=token["kind"], unit=token["unit"], permissions=tuple(token["permissions"])
        )
        signed = sign_identity(identity, self.identity_key, ttl=6 * 3600)
        direct_header = f"X-Tiepdan-Identity: {signed}"
        gateway_header = f"Authorization: Bearer {token['access_token']}"
        for i in range(0 if self.args.echo else self.args.visits):
            body = {
                "category": "complaint",
                "field": "land",
                "group_size": 1,
                "content": f"Khiếu nại về đất đai số {i}",
                "citizens": [
                    {"full_name": "Công dân đại diện", "is_representative": False, "id_number": f"{940000000000 + i}"}
                ],
                "outcome": {"type": "documents_taken"},
            }
            created = requests.post(
                f"{self.direct}/visits", json=body, timeout=30, headers={"X-Tiepdan-Identity": signed}
            )
            if created.status_code != 201:
                raise RuntimeError(f"visit not created: {created.status_code} {created.text}")
        for url, header in (
            (f"{self.direct}{PATH}", {"X-Tiepdan-Identity": signed}),
            (f"{self.through}{PATH}", {"Authorization": f"Bearer {token['access_token']}"}),
        ):
            resp = requests.get(url, headers=header, timeout=30)
            resp.raise_for_status()
            items = resp.json()
            items = items.get("items", items) if isinstance(items, dict) else items
            if len(items) != 20:
                raise RuntimeError(f"{url}: expected 20 visits, got {len(items)}")
        return direct_header, gateway_header

    @property
    def direct(self) -> str:
        return f"http://127.0.0.1:{self.ports['intake']}"

    @property
    def through(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}/api/v1/intake"

    def close(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.stack.close()
        if not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--seconds", type=int, default=5, help="per throughput run; also one-second latency runs per target and round"
    )
    parser.add_argument("--connections", type=int, default=8, help="for the throughput runs")
    parser.add_argument("--visits", type=int, default=25)
    parser.add_argument("--pairs", type=int, default=3000, help="at most, in 4 x --seconds")
    parser.add_argument("--intake-workers", type=int, default=2)
    parser.add_argument("--gateway-workers", type=int, default=2)
    parser.add_argument("--log-level", default="INFO", help="of both processes (INFO: one access line each)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    parser.add_argument(
        "--echo", action="store_true", help="a trivial aiohttp service instead of intake: the gateway's own cost"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    bench = Bench(args)
    try:
        direct_header, gateway_header = bench.setup()
        print(
            f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
            f"{'trivial echo service (1 process)' if args.echo else f'intake workers {args.intake_workers}'}, "
            f"gateway workers {args.gateway_workers}; GET {PATH} (20 {'items' if args.echo else 'visits'})"
        )
        targets = {
            "direct": (f"{bench.direct}{PATH}", direct_header),
            "gateway": (f"{bench.through}{PATH}", gateway_header),
        }
        # Warm both paths (connections, caches) before measuring.
        for url, header in targets.values():
            wrk(url, header, connections=args.connections, seconds=1)
        results: dict[str, dict[str, list[float]]] = {
            name: {"rps": [], "p50": [], "p99": [], "cpu_gateway": [], "cpu_intake": []} for name in targets
        }
        pids = {"gateway": bench.procs[1].pid, "intake": bench.procs[0].pid}
        added_slices: list[float] = []
        one_cpu = {name: {"gateway": 0.0, "intake": 0.0, "requests": 0} for name in targets}
        for n in range(1, args.rounds + 1):
            order = list(targets) if n % 2 else list(reversed(targets))
            many: dict[str, dict] = {}
            for name in order:
                url, header = targets[name]
                cpu = {k: tree_cpu_ms(pid) for k, pid in pids.items()}
                many[name] = wrk(url, header, connections=args.connections, seconds=args.seconds)
                for k, pid in pids.items():
                    results[name][f"cpu_{k}"].append((tree_cpu_ms(pid) - cpu[k]) / max(1, many[name]["count"]))
            # Latency: one-second runs of one connection, the two targets in turn (order alternating), so that
            # what the gateway adds is each gateway slice's median minus the direct one taken just before or
            # after it, at nearly the same load of the machine.
            one: dict[str, list[dict]] = {name: [] for name in order}
            for k in range(args.seconds):
                for name in order if k % 2 == 0 else list(reversed(order)):
                    cpu = {key: tree_cpu_ms(pid) for key, pid in pids.items()}
                    one[name].append(wrk(*targets[name], connections=1, seconds=1))
                    for key, pid in pids.items():
                        one_cpu[name][key] += tree_cpu_ms(pid) - cpu[key]
                    one_cpu[name]["requests"] += one[name][-1]["count"]
            for name in order:
                for r in (many[name], *one[name]):
                    if r["non2xx"] or r["socket_errors"]:
                        raise RuntimeError(f"{name}: errors during the run: {r}")
                results[name]["rps"].append(many[name]["rps"])
                p50 = statistics.median(r["p50"] for r in one[name])
                p99 = statistics.median(r["p99"] for r in one[name])
                results[name]["p50"].append(p50)
                results[name]["p99"].append(p99)
                print(
                    f"round {n} {name:8s} {args.connections} conn: {many[name]['rps']:8.1f} req/s | "
                    f"1 conn: p50 {p50:.2f} ms p99 {p99:.2f} ms (medians of {len(one[name])} runs of 1 s) | "
                    f"CPU/request intake {results[name]['cpu_intake'][-1]:.2f} ms, "
                    f"gateway {results[name]['cpu_gateway'][-1]:.2f} ms",
                    flush=True,
                )
            slices = [g["p50"] - d["p50"] for d, g in zip(one["direct"], one["gateway"], strict=True)]
            added_slices.extend(slices)
            print(
                f"round {n} added p50 {statistics.median(slices):.2f} ms (median of {len(slices)} slices), "
                f"load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
        load_before_pairs = os.getloadavg()[0]
        cpu = tree_cpu_ms(pids["gateway"])
        pairs = paired(targets["direct"], targets["gateway"], seconds=args.seconds * 4, max_pairs=args.pairs)
        pairs_cpu = (tree_cpu_ms(pids["gateway"]) - cpu) / max(1, pairs["pairs"])
        med = {name: {k: statistics.median(v) for k, v in r.items()} for name, r in results.items()}
        ratio = med["gateway"]["rps"] / med["direct"]["rps"]
        added = statistics.median(added_slices)
        print()
        print(f"medians over {args.rounds} rounds of {args.seconds} s:")
        for name in targets:
            print(
                f"  {name:8s} throughput {med[name]['rps']:8.1f} req/s ({args.connections} connections); "
                f"1 connection p50 {med[name]['p50']:.2f} ms, p99 {med[name]['p99']:.2f} ms"
            )
        print(f"  gateway/direct throughput: {ratio:.0%} (goal >= 60%)")
        print(
            f"  CPU per request through the gateway: gateway processes {med['gateway']['cpu_gateway']:.2f} ms, "
            f"intake {med['gateway']['cpu_intake']:.2f} ms (directly: intake {med['direct']['cpu_intake']:.2f} ms)"
        )
        print(
            f"  added at the median, 1 connection (wrk, median over {len(added_slices)} one-second slices of "
            f"gateway p50 - direct p50, taken in turn): {added:.2f} ms (goal <= 1.5 ms)"
        )
        per = {
            name: {k: v / max(1, c["requests"]) for k, v in c.items() if k != "requests"} for name, c in one_cpu.items()
        }
        print(
            f"  CPU per request in those slices: through the gateway: gateway processes "
            f"{per['gateway']['gateway']:.2f} ms, intake {per['gateway']['intake']:.2f} ms; "
            f"directly: intake {per['direct']['intake']:.2f} ms"
        )
        print(
            f"  paired, 1 connection each, {pairs['pairs']} pairs alternating direct/gateway "
            f"(load average {load_before_pairs:.2f} before): p50 direct {pairs['direct_p50']:.2f} ms, "
            f"gateway {pairs['gateway_p50']:.2f} ms, median of the differences {pairs['added_p50']:.2f} ms "
            f"(quartiles {pairs['added_q1']:.2f} / {pairs['added_q3']:.2f}) (goal <= 1.5 ms); "
            f"gateway CPU {pairs_cpu:.2f} ms per request"
        )
        print(f"  load average now: {os.getloadavg()[0]:.2f}")
        goal(
            "gateway throughput against direct calls, GET /api/v1/intake/visits?limit=20",
            f"{ratio:.0%}",
            ">= 60%",
            ratio >= 0.6,
        )
        goal(
            "gateway added latency at the median, 1 connection (paired / wrk one-second slices)",
            f"{pairs['added_p50']:.2f} ms / {added:.2f} ms",
            "<= 1.5 ms",
            pairs["added_p50"] <= 1.5 and added <= 1.5,
        )
        return 0
    finally:
        bench.close()


if __name__ == "__main__":
    sys.exit(main())
