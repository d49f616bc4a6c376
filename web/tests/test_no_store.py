"""Every answer of the dashboard, page, error or download, tells browsers and proxies to keep no copy (#23)."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

SAMPLE = {"kind": "xlsx", "form": "mau-01", "key": "register"}  # a value each route accepts, else "x1" or 1


def _get_paths(app) -> list[str]:
    """A concrete path for every GET route of the app but the static files (no citizen's data there)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {
            name: 1 if isinstance(converter, IntegerConverter) else SAMPLE.get(name, "x1")
            for name, converter in rule._converters.items()
        }
        paths.append(app.url_map.bind("localhost").build(rule.endpoint, values))
    return sorted(paths)


def test_the_walk_covers_the_pages_with_citizens_data(app):
    paths = _get_paths(app)
    for expected in ("/register", "/register/x1", "/register/export.xlsx", "/board/cases/x1", "/petitions/x1", "/"):
        assert expected in paths
    assert len(paths) > 40


def _assert_no_store(resp, path):
    assert "no-store" in resp.headers.get("Cache-Control", ""), (path, resp.status_code, resp.headers)


def test_every_get_route_answers_no_store_signed_out(client, app):
    for path in _get_paths(app):
        resp = client.get(path)
        _assert_no_store(resp, path)


def test_every_get_route_answers_no_store_signed_in_when_the_gateway_refuses(signed_in, app):
    """Signed in, with every gateway call refused (403): each page shows its failure, each error page too."""
    client, _csrf = signed_in
    html = 0
    for path in _get_paths(app):
        resp = client.get(path)
        _assert_no_store(resp, path)
        html += resp.mimetype == "text/html"
    assert html > 30  # the walk reached the pages themselves, not only redirects


def test_every_get_route_answers_no_store_for_an_administrator(admin_in, app):
    client, _csrf = admin_in
    for path in _get_paths(app):
        _assert_no_store(client.get(path), path)


@pytest.mark.parametrize(
    "path",
    [
        "/register/export.xlsx?from=2026-11-01&to=2026-11-26",
        "/today/roster.xlsx?from=2026-11-26&to=2026-12-02",
        "/today/roster.html?from=2026-11-26&to=2026-12-02",
        "/reports/complex-cases.xlsx",
        "/official/download/register",
        "/official/download/national",
    ],
)
def test_downloads_are_not_stored(signed_in, fake_gateway, path):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/.*", 200, b"PK\x03\x04 workbook of citizens")
    resp = client.get(path)
    assert resp.status_code == 200 and resp.data == b"PK\x03\x04 workbook of citizens", (path, resp.status_code)
    _assert_no_store(resp, path)


def test_an_error_page_is_not_stored(fake_gateway, tmp_path):
    from web import create_app

    app = create_app({"gateway_url": fake_gateway.url, "redis_url": "", "session_dir": tmp_path})

    @app.get("/boom")
    def boom():
        raise RuntimeError("a page that breaks")

    client = app.test_client()
    for path, status in (("/boom", 500), ("/khong-co", 404)):
        resp = client.get(path)
        assert resp.status_code == status and resp.mimetype == "text/html"
        _assert_no_store(resp, path)
    bad = client.post("/logout", data={"csrf_token": "x"})
    assert bad.status_code == 400
    _assert_no_store(bad, "/logout")
    # Werkzeug's own pages for the other errors are English: these are the app's, in Vietnamese, quoting nothing.
    wrong = client.open("/desk?zq7=<b>", method="PUT")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    assert "Yêu cầu không hợp lệ" in wrong.get_data(as_text=True) and "zq7" not in wrong.get_data(as_text=True)
    _assert_no_store(wrong, "PUT /desk")
