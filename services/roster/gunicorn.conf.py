"""gunicorn settings for the roster API; every value can be set from the environment."""

import os

# What every HTTP process shares: a listening socket per worker, the address checked before they bind,
# and each worker's startup objects out of the garbage collector's full collections.
from tiepdan_common.serving import on_starting, post_worker_init, reuse_port  # noqa: F401

bind = os.environ.get("ROSTER_BIND", "127.0.0.1:5102")
workers = int(os.environ.get("ROSTER_WORKERS", "2"))
threads = int(os.environ.get("ROSTER_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 30
accesslog = None  # the app writes its own JSON access line
wsgi_app = "roster:create_app()"
# Several gunicorn masters run on one machine (one per service): no shared control socket.
control_socket_disable = True
