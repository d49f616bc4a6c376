"""The dashboard under its real gunicorn: what every answer says about the server (issue #23).

gunicorn answers a request it cannot parse itself, before the app sees it; those answers must
name no software and quote nothing the client sent, as the app's own pages do.
"""

from __future__ import annotations

import socket

import pytest
import requests
from served import dashboard

MARK = "zq7<script>"  # what a hostile request carries; no answer may quote it


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``(host, port)`` of the dashboard under gunicorn with web/gunicorn.conf.py, as deployed."""
    # Nothing answers at the gateway's address: the pages tried here need no gateway.
    with dashboard(tmp_path_factory.mktemp("served"), GATEWAY_URL="http://127.0.0.1:9") as url:
        host, port = url.removeprefix("http://").split(":")
        yield host, int(port)


def _raw(address, data: bytes) -> tuple[str, dict[str, str], str]:
    """Send ``data`` as it is; the answer's status line, headers (lower-case names) and body."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body.decode("utf-8", errors="replace")


def _names_no_software(headers: dict[str, str], body: str = "") -> None:
    assert headers.get("server", "tiepdan") == "tiepdan", headers
    for word in ("gunicorn", "werkzeug", "flask", "python"):
        assert word not in str(headers).lower(), headers
        assert word not in body.lower(), body[:300]


@pytest.mark.parametrize(("path", "status"), [("/login", 200), ("/khong-co-trang-nay", 404), ("/livez", 200)])
def test_an_answer_of_the_app_names_no_software(served, path, status):
    resp = requests.get(f"http://{served[0]}:{served[1]}{path}", timeout=10)
    assert resp.status_code == status
    assert resp.headers["Server"] == "tiepdan"
    _names_no_software({k.lower(): v for k, v in resp.headers.items()}, resp.text)
    assert "no-store" in resp.headers["Cache-Control"]


def test_a_404_does_not_quote_the_path(served):
    resp = requests.get(f"http://{served[0]}:{served[1]}/{MARK}", timeout=10)
    assert resp.status_code == 404
    assert "zq7" not in resp.text


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (f"GET /{MARK} HTTP/1.1 extra\r\nHost: x\r\n\r\n".encode(), "400"),  # a malformed request line
        (f"{MARK} / HTTP/1.1\r\nHost: x\r\n\r\n".encode(), "400"),  # a method that is no method
        (f"GET / HTTP/9.{MARK}\r\nHost: x\r\n\r\n".encode(), "400"),  # an HTTP version that is none
        (f"GET / HTTP/1.1\r\nHost: x\r\n{MARK}: 1\r\n\r\n".encode(), "400"),  # a header name that is none
        (f"GET /{MARK}{'a' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), "414"),  # a request line too long
        (f"GET / HTTP/1.1\r\nHost: x\r\nX-Long: {MARK}{'a' * 9000}\r\n\r\n".encode(), "431"),  # a header too long
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n", "431"),
    ],
    ids=["request-line", "method", "version", "header-name", "long-line", "long-header", "many-headers"],
)
def test_gunicorns_own_error_answers_name_no_software_and_quote_nothing(served, request_bytes, status):
    status_line, headers, body = _raw(served, request_bytes)
    assert status_line.split(" ")[1] == status, status_line
    _names_no_software(headers, body)
    assert headers["server"] == "tiepdan"
    assert "zq7" not in body and "zq7" not in str(headers)
    assert headers.get("cache-control") == "no-store"
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers["content-type"].startswith("text/html; charset=utf-8")
    assert "Yêu cầu không hợp lệ" in body
