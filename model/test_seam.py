"""A test-support seam: stop a run at a named point so a test can kill it there.

Read only here, and only for tests/test_interruptions.py: when the environment
variable NN_EXPLAINER_TEST_PAUSE is `POINT=MARKER`, the run that reaches `pause(POINT)`
writes its pid to the file MARKER and then waits until it is killed. Unset (always,
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
    while True:  # until the test's signal ends the run
        time.sleep(0.05)
