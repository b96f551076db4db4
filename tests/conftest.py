"""Shared fixtures: a tiny trained network and the CLI, for tests that need them."""
from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def mnist():
    from nn_explainer.model.mnist import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def tiny_training(tmp_path_factory, mnist):
    """One quick training run (2 epochs), written to a temporary checkpoint and export."""
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    folder = tmp_path_factory.mktemp("tiny")
    checkpoint, export = folder / "tiny.safetensors", folder / "tiny.json"
    run_training(TrainConfig(epochs=2, seed=3), checkpoint, export, progress=False)
    return checkpoint, export


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
