"""`make run`'s mail sink: an SMTP server on 127.0.0.1 that keeps every mail notify sends in a Maildir.

Mail lands in ``$TIEPDAN_VAR_DIR/mail`` (default ``var/mail``), one file per mail under ``new/``: open the
folder with ``mutt -f var/mail``, or any file with a text editor, or read them on the stand-ins' page
(``scripts/standins.py``). aiosmtpd's own Maildir handler writes them; a Maildir needs its ``tmp``, ``new``
and ``cur`` folders, which the standard library creates only for a folder that does not exist yet (make
creates ``var/mail`` empty), so they are made here first.

Port: ``NOTIFY_SMTP_PORT`` (what notify sends to; default 1025).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


def mail_dir() -> Path:
    """The Maildir, with the three folders a Maildir must have."""
    folder = Path(os.environ.get("TIEPDAN_VAR_DIR", "var")) / "mail"
    for sub in ("tmp", "new", "cur"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def main() -> None:
    folder = mail_dir()
    port = int(os.environ.get("NOTIFY_SMTP_PORT", "1025"))
    controller = Controller(Mailbox(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"mail sink: SMTP on 127.0.0.1:{port}, every mail kept in {folder}/new (mutt -f {folder})", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
