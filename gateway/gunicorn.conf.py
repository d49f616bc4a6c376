"""Gunicorn settings for the gateway: ``gunicorn --config gateway/gunicorn.conf.py gateway.app:app_factory``."""

from environs import Env

from gateway.settings import read_variable

# What every HTTP process shares: a listening socket per worker, the address checked before they bind,
# and each worker's startup objects out of the garbage collector's full collections.
from tiepdan_common.serving import on_starting, post_worker_init, reuse_port  # noqa: F401

env = Env()

# uvloop's event loop by default; `aiohttp.GunicornWebWorker` runs on asyncio's own.
worker_class = env.str("GATEWAY_WORKER_CLASS", "aiohttp.GunicornUVLoopWebWorker")
bind = env.str("GATEWAY_BIND", "127.0.0.1:8000")
workers = read_variable(env.int, "GATEWAY_WORKERS", 2)
# Each worker opens its own upstream pool and event loop: never load the app in the master.
preload_app = False
# Seconds an idle client connection is kept open.
keepalive = read_variable(env.int, "GATEWAY_KEEPALIVE", 75)
timeout = read_variable(env.int, "GATEWAY_WORKER_TIMEOUT", 60)
graceful_timeout = read_variable(env.int, "GATEWAY_GRACEFUL_TIMEOUT", 30)
# The gateway writes its own JSON access log line per request; gunicorn's would duplicate it.
accesslog = None
errorlog = "-"
loglevel = env.str("LOG_LEVEL", "info").lower()
# Trust X-Forwarded-* only from a reverse proxy on this host.
forwarded_allow_ips = env.str("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "gateway.app:app_factory"
# Several gunicorn masters run on one machine (one per service): no shared control socket.
control_socket_disable = True
