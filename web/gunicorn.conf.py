"""gunicorn settings for the dashboard; every value can be set from the environment."""

import os

# What every HTTP process shares: a listening socket per worker, the address checked before they bind,
# and each worker's startup objects out of the garbage collector's full collections.
from tiepdan_common.serving import on_starting, post_worker_init, reuse_port  # noqa: F401

bind = os.environ.get("WEB_BIND", "127.0.0.1:8080")
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 30
accesslog = None  # the app writes its own JSON access line
wsgi_app = "web:create_app()"
# This folder first on the import path: started from the repository's root (the Procfile, `make run`),
# `web` would otherwise be the project's folder (a namespace package, no create_app) and not its package.
pythonpath = os.path.dirname(os.path.abspath(__file__))
# Several gunicorn masters run on one machine (one per service): no shared control socket.
control_socket_disable = True
