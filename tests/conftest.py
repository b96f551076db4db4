"""Shared fixtures: a tiny trained network and the CLI, for tests that need them; and how
the suite runs in parallel (./test.sh: pytest-xdist, one worker per core).

Under xdist each worker is its own pytest session: a session fixture is made once per
worker, a module fixture once per module. ./test.sh hands out whole files (--dist
loadfile), so a module's fixtures and caches are made once, on the worker that runs it;
an expensive session fixture that several files use (`tiny_training`) is made once for
the whole run through `made_once`: the first worker to ask makes it under a lock, the
others wait for it and read the same files.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Silent unless a test asks for a voice (`--voice joe`): a narrated clip lasts as long as
# its words, and the tests that measure a clip against its scene draw it unvoiced. Every
# render.py, manim and Ray worker the tests start inherits this.
os.environ["NN_EXPLAINER_VOICE"] = "none"


def run_cli(*args, cwd=REPO, timeout=600):
    """Run render.py as a user would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, str(REPO / "render.py"), *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


def assert_clean_failure(result):
    """One clear line on stderr, a non-zero exit, and no traceback."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def made_once(tmp_path_factory, name: str, make) -> Path:
    """A folder that `make(folder)` fills once for the whole run, whichever xdist worker
    asks first (pytest-xdist's documented pattern: a lock in the run's shared temporary
    folder); the others wait, then read the same files. Without xdist, once for the session."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above every worker's own
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the worker dies
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half-way
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session", autouse=True)
def own_glyph_cache():
    """manim's TeX and text caches, for scenes run in this process, in a glyph cache slot
    held by this process alone (publish/glyph_cache.py, as every render uses): left at
    manim's ./media/Tex, two xdist workers writing the same glyph could read each other's
    half-written SVG. The slots persist between runs, so they stay warm."""
    from manim import config

    from nn_explainer.publish.glyph_cache import glyph_dirs

    for key, folder in glyph_dirs().items():
        config[key] = folder


@pytest.fixture(scope="session")
def mnist():
    from nn_explainer.model.mnist import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def tiny_training(tmp_path_factory, mnist):
    """One quick training run (2 epochs), written to a temporary checkpoint and export;
    once for the whole run, however many xdist workers use it (read it, never write to it)."""
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    def train(folder):
        run_training(TrainConfig(epochs=2, seed=3), folder / "tiny.safetensors", folder / "tiny.json", progress=False)

    folder = made_once(tmp_path_factory, "tiny", train)
    return folder / "tiny.safetensors", folder / "tiny.json"


# Debian's chromium, driven by Playwright (Playwright's own browser download needs the
# internet). The flags keep it off the network: the tests need none.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                 "--disable-default-apps", "--autoplay-policy=no-user-gesture-required", "--hide-scrollbars"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run; each test opens its own pages."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: run ./test.sh, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def cnn_zoo(tmp_path_factory) -> dict:
    """{name: export path} of every CNN a convolutional beat must draw (tests/cnn_zoo.py:
    ours, pytorch/examples' Net, average pooling, stride 2 and padding 1, BatchNorm2d);
    made once for the whole run, however many xdist workers use it (read them, never write)."""
    import cnn_zoo as zoo

    return zoo.zoo_paths(made_once(tmp_path_factory, "cnn_zoo", zoo.make_zoo))
