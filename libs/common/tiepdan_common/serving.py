"""gunicorn settings every HTTP process of tiepdan shares (the APIs, the gateway, the dashboard).

A ``gunicorn.conf.py`` takes them with one import: ``from tiepdan_common.serving import on_starting,
post_worker_init, reuse_port``; gunicorn reads a config file's module-level names.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from .worker import freeze_startup_objects

if TYPE_CHECKING:  # gunicorn is a server dependency, not one of this library's
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker

# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections over
# them. On one shared socket, whichever worker woke first took a burst of connections: the gateway's
# kept-alive connections to intake all went to one of its two workers in most runs, and intake served
# about 310 requests a second through them instead of 450 to 550 (bench/gateway_bench.py's setup,
# 8 connections, GET /visits?limit=20).
reuse_port = True


def on_starting(server: Arbiter) -> None:
    """In the master, before any worker binds: refuse to start when something already listens on the address.

    With ``reuse_port`` a second gunicorn on the same address would share it (the same user may) and
    take half of the connections, instead of failing as a shared socket would.
    """
    tcp = [address[:2] for address in server.cfg.address if isinstance(address, tuple)]  # not Unix sockets
    for host, port in tcp:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # Without SO_REUSEPORT the bind fails if anything listens there; SO_REUSEADDR lets it pass
            # over connections of an earlier run still in TIME_WAIT.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise RuntimeError(f"{host}:{port}: {exc.strerror or exc} (something already listens there)") from exc
    # gunicorn's own "Listening at:" line is empty with reuse_port: the master holds no socket.
    server.log.info(
        "Each worker listens on %s (a socket of its own, reuse_port)", ", ".join(f"{host}:{port}" for host, port in tcp)
    )


def post_worker_init(_worker: Worker) -> None:
    """Once the app is loaded in a worker, its startup objects leave the garbage collector's full collections."""
    freeze_startup_objects()
