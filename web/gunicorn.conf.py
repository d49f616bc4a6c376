"""gunicorn settings for the dashboard; every value can be set from the environment.

gunicorn has no setting for its ``Server`` header nor for the page it writes itself when a request
cannot be parsed (that page quotes the bad input), so both are replaced here, in the master before
the workers fork; tests/test_served.py checks them against the pinned gunicorn.
"""

import html
import os

import gunicorn.http.wsgi
import gunicorn.util

# What every HTTP process shares: a listening socket per worker, the address checked before they bind,
# and each worker's startup objects out of the garbage collector's full collections.
from tiepdan_common.serving import on_starting, post_worker_init, reuse_port  # noqa: F401

SERVER = "tiepdan"  # as the gateway's answers: no software, no version
# What an officer reads when gunicorn refuses a request itself, by status; nothing of the request.
REFUSALS = {
    400: "Trình duyệt đã gửi một yêu cầu mà hệ thống không đọc được.",
    403: "Yêu cầu này không được phép.",
    414: "Địa chỉ của yêu cầu quá dài.",
    417: "Hệ thống không đáp ứng được điều yêu cầu này đòi hỏi.",
    431: "Phần tiêu đề của yêu cầu quá lớn.",
    501: "Hệ thống không hỗ trợ cách gửi dữ liệu này.",
}
PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{message}</p><p>Vui lòng quay lại trang trước và thử lại.</p></body></html>
"""


def write_error(sock, status_int, reason, _mesg):
    """gunicorn's own error answer, without its message (which quotes the request) and naming no software."""
    if 400 <= status_int < 500:
        title, message = "Yêu cầu không hợp lệ", REFUSALS.get(status_int, REFUSALS[400])
    else:
        title, message = "Có lỗi xảy ra", REFUSALS.get(status_int, "Hệ thống gặp sự cố. Vui lòng thử lại sau.")
    body = PAGE.format(title=html.escape(title), message=html.escape(message)).encode()
    head = (
        f"HTTP/1.1 {int(status_int)} {reason}\r\n"
        f"Server: {SERVER}\r\n"
        "Connection: close\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "X-Frame-Options: DENY\r\n"
        "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
        "\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


# gunicorn's workers call util.write_error and build each Response's Server header from wsgi.SERVER
# when they run, so these module attributes are what they use.
gunicorn.util.write_error = write_error
gunicorn.http.wsgi.SERVER = SERVER
gunicorn.http.wsgi.SERVER_SOFTWARE = SERVER  # the WSGI environ's SERVER_SOFTWARE, should a page ever show it

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
