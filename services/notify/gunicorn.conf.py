"""gunicorn settings for the notify API; every value can be set from the environment."""

import os

# gunicorn's hook: once the app is loaded in a worker, its startup objects leave the garbage collector's
# full collections (tiepdan_common.worker.freeze_startup_objects).
from tiepdan_common.worker import post_worker_init  # noqa: F401

bind = os.environ.get("NOTIFY_BIND", "127.0.0.1:5104")
workers = int(os.environ.get("NOTIFY_WORKERS", "2"))
threads = int(os.environ.get("NOTIFY_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 30
accesslog = None  # the app writes its own JSON access line
wsgi_app = "notify:create_app()"
# Several gunicorn masters run on one machine (one per service): no shared control socket.
control_socket_disable = True
