"""`render.py all` with nothing changed does no work: no training, no export, no render,
and it does not even import torch or manim to find that out."""
import shutil
import subprocess
import sys

from conftest import REPO
from nn_explainer.model import freshness, paths


def run_all(*args):
    """`render.py all` with Python's import log on stderr."""
    return subprocess.run([sys.executable, "-X", "importtime", str(REPO / "render.py"), "all", *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)


def imported(stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_all_with_nothing_changed_imports_neither_torch_nor_manim(tmp_path):
    first = run_all("--media-dir", tmp_path, "--scenes", "ParameterCount", "NetworkIsAFunction")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "manim" in imported(first.stderr)  # it rendered
    again = run_all("--media-dir", tmp_path, "--scenes", "ParameterCount", "NetworkIsAFunction")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "nothing changed: all 2 clips are up to date" in again.stdout
    assert "using the sigmoid network there: 784-16-16-10, 50 epochs, seed 0" in again.stdout  # says which
    modules = imported(again.stderr)
    assert "numpy" in modules  # the log is there: the exports were read and checked
    assert not {"torch", "manim"} & modules


def test_an_export_is_current_only_for_the_checkpoint_code_and_data_it_was_made_from(tmp_path, monkeypatch):
    checkpoint, export = tmp_path / "network.safetensors", tmp_path / "network.json"
    shutil.copyfile(paths.DEFAULT_CHECKPOINT, checkpoint)
    shutil.copyfile(paths.DEFAULT_EXPORT, export)
    monkeypatch.setattr(freshness, "STAMPS", tmp_path / "stamps.json")
    assert not freshness.export_is_current(checkpoint, export)  # never recorded
    freshness.record_export(checkpoint, export)
    assert freshness.export_is_current(checkpoint, export)
    export.write_bytes(export.read_bytes() + b" ")  # the export edited
    assert not freshness.export_is_current(checkpoint, export)
    freshness.record_export(checkpoint, export)
    checkpoint.write_bytes(checkpoint.read_bytes() + b"\0")  # another checkpoint
    assert not freshness.export_is_current(checkpoint, export)
    freshness.record_export(checkpoint, export)
    monkeypatch.setattr(freshness, "MODEL_DIR", tmp_path / "model")  # other exporter code
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "export.py").write_text("# another exporter\n")
    assert not freshness.export_is_current(checkpoint, export)
    (tmp_path / "stamps.json").write_text("{damaged")
    assert not freshness.export_is_current(checkpoint, export)  # a damaged record vouches for nothing


def test_training_is_asked_for_only_when_the_options_differ():
    record = {"seed": 0, "epochs": 50, "hidden": [16, 16], "activation": "sigmoid"}
    assert freshness.training_options_changed(record, paths.DEFAULT_CHECKPOINT) is None
    changed = freshness.training_options_changed({**record, "hidden": [32, 32], "seed": 1}, paths.DEFAULT_CHECKPOINT)
    assert changed == "seed 0 -> 1, hidden [16, 16] -> [32, 32]"
    assert freshness.training_options_changed(record, paths.CHECKPOINT_DIR / "none.safetensors") == "no checkpoint yet"
