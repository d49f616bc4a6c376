"""A WSGI service that answers without reading the request body (an action route sent a body)."""


def app(environ, start_response):
    body = b'{"ok": true}'
    start_response(
        "201 Created" if environ["REQUEST_METHOD"] == "POST" else "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
