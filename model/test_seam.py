"""A test-support seam: stop a run at a named point so a test can kill it there.

Read only here, and only for tests (test_interruptions.py, test_ray.py): when the environment
variable NN_EXPLAINER_TEST_PAUSE is `POINT=MARKER`, the run that reaches `pause(POINT)`
writes its pid to the file MARKER and then waits until it is killed, or until the
file MARKER.go appears (a test that sent a signal the run holds back, such as SIGTERM
while a training set is switched, lets it go on to act on it). Unset (always,
outside those tests) it does nothing. The points are named where `pause` is called:
training's publishing (generations.py), a render's finishing (publish/clips.py) and a
Ray task's (publish/ray_engine.py).

`reached(POINT)` only counts: when NN_EXPLAINER_TEST_LOG is a file name, it appends
`POINT PID` to it, so a test can tell how many times a Ray task ran.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

VARIABLE = "NN_EXPLAINER_TEST_PAUSE"
LOG_VARIABLE = "NN_EXPLAINER_TEST_LOG"


def pause(point: str) -> None:
    spec = os.environ.get(VARIABLE, "")
    wanted, _, marker = spec.partition("=")
    if not marker or wanted != point:
        return
    Path(marker).write_text(str(os.getpid()))
    go = Path(marker + ".go")
    while not go.exists():  # until the test's signal ends the run, or it says go on
        time.sleep(0.05)


def reached(point: str) -> None:
    log = os.environ.get(LOG_VARIABLE)
    if log:
        with open(log, "a") as handle:  # one short line per write: appends do not interleave
            handle.write(f"{point} {os.getpid()}\n")
