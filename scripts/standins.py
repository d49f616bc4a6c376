"""`make run`'s stand-ins for the outside world notify talks to: an SMS provider and the webhook receivers
(the police unit, the province, the communes), each recording what it receives, and a page to read it.

- ``POST /sms``: takes notify's SMS (``{"to", "text"}``), answers like a provider, appends a JSON line to
  ``$TIEPDAN_VAR_DIR/sms.jsonl``.
- ``POST /webhooks/<name>``: checks the signature as a real receiver must (``NOTIFY_WEBHOOK_SECRET``, or
  ``NOTIFY_WEBHOOK_SECRETS[name]``), answers 200 or 401, appends a JSON line to ``webhooks.jsonl`` either way.
- ``GET /``: what arrived, newest first: mails (the mail sink's Maildir, ``scripts/mail_sink.py``), SMS,
  webhooks. ``GET /mail/<key>``: one mail as it was received.

``python scripts/standins.py`` serves on 127.0.0.1:``STANDINS_PORT`` (8025); ``python scripts/standins.py
env`` prints the settings that point notify here (the addresses are the demo's, in demo/demo.json).
"""

from __future__ import annotations

import datetime as dt
import email
import email.header
import email.policy
import json
import mailbox
import os
import sys
import threading
from pathlib import Path

from flask import Flask, Response, abort, render_template_string, request

ROOT = Path(__file__).resolve().parents[1]
PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Hộp thư thử nghiệm: thư, SMS, webhook</title>
<style>body{font-family:sans-serif;margin:1.5rem}table{border-collapse:collapse;width:100%;margin-bottom:2rem}
td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}pre{white-space:pre-wrap;margin:0}
</style></head><body>
<h1>Hộp thư thử nghiệm <small>(local stand-ins)</small></h1>
<p>Những gì notify gửi ra ngoài khi chạy <code>make run</code>: thư điện tử (lưu tại {{ var }}/mail),
tin nhắn SMS ({{ var }}/sms.jsonl) và webhook gửi công an, tỉnh, xã ({{ var }}/webhooks.jsonl).</p>
<h2>Thư điện tử ({{ mails|length }})</h2>
<table><tr><th>Lúc nhận</th><th>Người nhận</th><th>Tiêu đề</th></tr>
{% for m in mails %}<tr><td>{{ m.date }}</td><td>{{ m.to }}</td>
<td><a href="mail/{{ m.key }}">{{ m.subject }}</a></td></tr>{% endfor %}</table>
<h2>Tin nhắn SMS ({{ sms|length }})</h2>
<table><tr><th>Lúc nhận</th><th>Số điện thoại</th><th>Nội dung</th></tr>
{% for s in sms %}<tr><td>{{ s.received_at }}</td><td>{{ s.to }}</td><td>{{ s.text }}</td></tr>{% endfor %}</table>
<h2>Webhook ({{ hooks|length }})</h2>
<table><tr><th>Lúc nhận</th><th>Nơi nhận</th><th>Chữ ký</th><th>Tiêu đề</th></tr>
{% for h in hooks %}<tr><td>{{ h.received_at }}</td><td>{{ h.endpoint }}</td>
<td>{{ "hợp lệ" if h.accepted else "bị từ chối: " ~ h.error }}</td>
<td>{{ (h.payload or {}).get("title", "") }}</td></tr>{% endfor %}</table>
</body></html>"""


def var_dir() -> Path:
    return Path(os.environ.get("TIEPDAN_VAR_DIR", ROOT / "var"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class JsonLines:
    """An append-only file of JSON lines (one lock: the server answers on several threads)."""

    def __init__(self, path: Path) -> None:
        self.path, self._lock = path, threading.Lock()

    def append(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)

    def read(self, last: int = 200) -> list[dict]:
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()[-last:]
        return [json.loads(line) for line in reversed(lines) if line.strip()]


def _webhook_secret(name: str) -> str | None:
    secrets = json.loads(os.environ.get("NOTIFY_WEBHOOK_SECRETS") or "{}")
    return secrets.get(name) or os.environ.get("NOTIFY_WEBHOOK_SECRET")


def _mails(folder: Path, last: int = 200) -> list[dict]:
    if not (folder / "new").is_dir():
        return []
    box = mailbox.Maildir(folder, factory=None, create=False)
    found = []
    for key, message in box.items():
        found.append(
            {
                "key": key,
                "subject": str(email.header.make_header(email.header.decode_header(message.get("Subject", "")))),
                "to": message.get("To", ""),
                "date": message.get("Date") or "",
                "order": message.get_date(),
            }
        )
    return sorted(found, key=lambda m: m["order"], reverse=True)[:last]


def create_app(folder: Path | None = None) -> Flask:
    """The stand-ins, recording under ``folder`` (default ``$TIEPDAN_VAR_DIR``)."""
    # The receiver's check notify documents, loaded before serving (importing notify takes a while).
    from notify.signing import SignatureError, verify

    folder = Path(folder or var_dir())
    sms, hooks = JsonLines(folder / "sms.jsonl"), JsonLines(folder / "webhooks.jsonl")
    seen: set[str] = set()
    app = Flask("standins")

    @app.post("/sms")
    def receive_sms():
        body = request.get_json(silent=True) or {}
        record = {"received_at": _now(), "to": body.get("to"), "text": body.get("text"), "body": body}
        if not record["to"] or not record["text"]:
            return {"error": "to and text are required"}, 400
        sms.append(record)
        return {"status": "accepted", "to": record["to"]}

    @app.post("/webhooks/<name>")
    def receive_webhook(name):
        raw = request.get_data()
        record = {
            "received_at": _now(),
            "endpoint": name,
            "delivery_id": request.headers.get("X-Tiepdan-Delivery"),
            "accepted": True,
            "error": None,
            "payload": json.loads(raw or b"null"),
        }
        secret = _webhook_secret(name)
        try:
            if secret:
                verify(secret, request.headers, raw, seen=seen)
        except SignatureError as exc:
            record.update(accepted=False, error=str(exc))
        hooks.append(record)
        if not record["accepted"]:
            return {"error": record["error"]}, 401
        return {"status": "received", "endpoint": name}

    @app.get("/")
    def page():
        return render_template_string(
            PAGE, var=folder, mails=_mails(folder / "mail"), sms=sms.read(), hooks=hooks.read()
        )

    @app.get("/mail/<key>")
    def one_mail(key):
        path = next((p for sub in ("new", "cur") for p in (folder / "mail" / sub).glob(f"{key}*")), None)
        if path is None or "/" in key:
            abort(404)
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = "".join(f"{name}: {value}\n" for name, value in mail.items())
        body = mail.get_body(("plain",))
        text += "\n" + (body.get_content() if body is not None else "")
        return Response(text, mimetype="text/plain; charset=utf-8")

    return app


def env_lines(demo: dict) -> list[str]:
    """The settings that point notify at the stand-ins, from the demo's addresses."""
    endpoints = demo["standins"]
    return [
        f"NOTIFY_SMS_URL={endpoints['sms']}",
        f"NOTIFY_WEBHOOKS='{json.dumps(endpoints['webhooks'], ensure_ascii=False)}'",
        f"STANDINS_PORT={endpoints['port']}",
    ]


def main(argv: list[str]) -> None:
    demo = json.loads((ROOT / "demo" / "demo.json").read_text("utf-8"))
    if argv[1:2] == ["env"]:
        print("# Generated by make run from demo/demo.json: notify's SMS and webhooks go to scripts/standins.py.")
        print("\n".join(env_lines(demo)))
        return
    from werkzeug.serving import make_server

    port = int(os.environ.get("STANDINS_PORT", demo["standins"]["port"]))
    server = make_server("127.0.0.1", port, create_app(), threaded=True)
    print(f"stand-ins: SMS and webhooks recorded under {var_dir()}, read them at http://127.0.0.1:{port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
