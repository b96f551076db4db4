"""A test-support seam: stop a run at a named point so a test can kill it there.

Read only here, and only for tests/test_interruptions.py: when the environment
variable NN_EXPLAINER_TEST_PAUSE is `POINT=MARKER`, the run that reaches `pause(POINT)`
writes its pid to the file MARKER and then waits until it is killed, or until the
file MARKER.go appears (a test that sent a signal the run holds back, such as SIGTERM
while a training set is switched, lets it go on to act on it). Unset (always,
outside those tests) it does nothing. The points are named where `pause` is called:
training's publishing (generations.py) and a render's finishing (publish/clips.py).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

VARIABLE = "NN_EXPLAINER_TEST_PAUSE"


def pause(point: str) -> None:
    spec = os.environ.get(VARIABLE, "")
    wanted, _, marker = spec.partition("=")
    if not marker or wanted != point:
        return
    Path(marker).write_text(str(os.getpid()))
    go = Path(marker + ".go")
    while not go.exists():  # until the test's signal ends the run, or it says go on
        time.sleep(0.05)
