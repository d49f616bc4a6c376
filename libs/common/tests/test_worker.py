"""A process's startup objects leave the garbage collector's full collections, in every entry point."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from gunicorn.config import Config
from tiepdan_common import worker

ROOT = Path(__file__).resolve().parents[3]
GUNICORN_CONFIGS = sorted(ROOT.glob("services/*/gunicorn.conf.py")) + [ROOT / "gateway" / "gunicorn.conf.py",
                                                                        ROOT / "web" / "gunicorn.conf.py"]


def test_startup_objects_are_frozen_and_later_garbage_still_collected():
    """In a fresh interpreter: what exists at the freeze is no longer scanned by a full collection; a cycle
    made afterwards is still collected, and startup garbage was collected before the freeze."""
    script = """
import gc, weakref
from tiepdan_common.worker import freeze_startup_objects

class Node:
    pass

startup_garbage = Node(); startup_garbage.me = startup_garbage
ref_before = weakref.ref(startup_garbage); del startup_garbage
kept = [Node() for _ in range(1000)]
freeze_startup_objects()
assert ref_before() is None, "startup garbage frozen instead of collected"
assert gc.get_freeze_count() >= 1000, gc.get_freeze_count()
later = Node(); later.me = later
ref_later = weakref.ref(later); del later
gc.collect()
assert ref_later() is None, "a cycle made after the freeze was not collected"
print("ok", gc.get_freeze_count())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


@pytest.mark.parametrize("path", GUNICORN_CONFIGS, ids=lambda p: p.parent.name)
def test_every_gunicorn_config_freezes_once_the_app_is_loaded(path, monkeypatch):
    """Each API's (and the gateway's and dashboard's) gunicorn config names the hook as gunicorn reads it."""
    assert len(GUNICORN_CONFIGS) == 6
    cfg = Config()
    namespace = runpy.run_path(str(path))  # as gunicorn reads a config file: its module-level names
    cfg.set("post_worker_init", namespace["post_worker_init"])  # validated as gunicorn validates it
    calls = []
    monkeypatch.setattr(worker, "freeze_startup_objects", lambda: calls.append(True))
    cfg.post_worker_init(object())
    assert calls == [True]


def test_a_worker_process_freezes_before_its_components_start(monkeypatch):
    order = []
    monkeypatch.setattr(worker, "freeze_startup_objects", lambda: order.append("freeze"))

    class Once:
        name = "once"

        def run(self, stop):
            order.append("component")
            stop.set()

    w = worker.Worker([Once()])
    monkeypatch.setattr(w, "shutdown", lambda: order.append("shutdown"))
    monkeypatch.setattr(worker.signal, "signal", lambda *a: None)
    w.run_forever()
    assert order[0] == "freeze" and "component" in order
