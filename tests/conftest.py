"""Shared fixtures: a tiny trained network and the CLI, for tests that need them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


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
    from model.mnist import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def tiny_training(tmp_path_factory, mnist):
    """One quick training run (2 epochs), written to a temporary checkpoint and export."""
    from model.pipeline import run_training
    from model.train import TrainConfig

    folder = tmp_path_factory.mktemp("tiny")
    checkpoint, export = folder / "tiny.safetensors", folder / "tiny.json"
    run_training(TrainConfig(epochs=2, seed=3), checkpoint, export, progress=False)
    return checkpoint, export
