"""A worker process's startup objects leave the garbage collector's full collections."""

import subprocess
import sys

from tiepdan_common import worker


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
