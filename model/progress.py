"""A line on stderr for each step that takes a while (`render.py import`'s progress).

`Steps(prefix)` is handed down to the long computations; each names its steps with
`with steps("the neuron evidence"):`. A step still running after SLOW seconds says so in
one line (a timer, so a quick step prints nothing), and one that did prints its time when
it ends. `QUIET` says nothing: the default of everything that takes a `steps`.
"""
from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager

SLOW = 2.0   # seconds: a step that takes longer is named as it runs


class Steps:
    def __init__(self, prefix: str, stream=None, slow: float | None = None):
        self.prefix, self.stream, self.slow = prefix, stream, slow

    @contextmanager
    def __call__(self, what: str):
        stream = self.stream or sys.stderr
        started, said = time.perf_counter(), threading.Event()

        def say():
            said.set()
            print(f"{self.prefix}: {what}...", file=stream, flush=True)

        timer = threading.Timer(SLOW if self.slow is None else self.slow, say)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            timer.join()
            if said.is_set():
                print(f"{self.prefix}: {what}: {time.perf_counter() - started:.1f} s", file=stream, flush=True)


@contextmanager
def _quiet(what: str):
    yield


QUIET = _quiet
