"""The gunicorn settings every HTTP process shares, as gunicorn reads them from each config file."""

import runpy
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from tiepdan_common import serving

ROOT = Path(__file__).resolve().parents[3]
GUNICORN_CONFIGS = sorted(ROOT.glob("services/*/gunicorn.conf.py")) + [
    ROOT / "gateway" / "gunicorn.conf.py",
    ROOT / "web" / "gunicorn.conf.py",
]


@pytest.mark.parametrize("path", GUNICORN_CONFIGS, ids=lambda p: p.parent.name)
def test_every_gunicorn_config_takes_the_shared_settings(path, monkeypatch):
    """Each API's, the gateway's and the dashboard's config: a socket per worker, the address checked by the
    master, the startup objects frozen once the app is loaded."""
    assert len(GUNICORN_CONFIGS) == 6
    names = runpy.run_path(str(path))  # a config file's module-level names, as gunicorn reads them
    cfg = Config()
    for name in ("reuse_port", "on_starting", "post_worker_init"):
        cfg.set(name, names[name])  # validated as gunicorn validates them
    assert cfg.reuse_port is True
    frozen = []
    monkeypatch.setattr(serving, "freeze_startup_objects", lambda: frozen.append(True))
    cfg.post_worker_init(object())
    assert frozen == [True]
    assert cfg.on_starting is serving.on_starting


def _server(port: int):
    cfg = Config()
    cfg.set("bind", [f"127.0.0.1:{port}"])
    return SimpleNamespace(cfg=cfg, log=SimpleNamespace(info=lambda *args: None))


def _listening(option: int) -> socket.socket:
    """A socket listening on a free port of 127.0.0.1, with ``option`` (SO_REUSEPORT or SO_REUSEADDR) set."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, option, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


def test_the_master_refuses_an_address_a_reuse_port_socket_listens_on():
    """What a running reuse_port gunicorn's worker holds would otherwise let a second gunicorn share the port."""
    with _listening(socket.SO_REUSEPORT) as held:
        port = held.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"127.0.0.1:{port}: Address already in use"):
            serving.on_starting(_server(port))


def test_the_master_starts_on_a_free_address_even_with_connections_of_a_past_run_closing():
    with _listening(socket.SO_REUSEADDR) as listener:
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server side closes first: its end stays in TIME_WAIT
        client.close()
    serving.on_starting(_server(port))  # no error: nothing listens there any more
