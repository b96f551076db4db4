"""The command line: bad flags end in one line on stderr and a non-zero exit."""
import pytest

from conftest import assert_clean_failure, run_cli

BAD_TRAIN_FLAGS = {
    "hidden zero": (["--hidden", "0"], "layer sizes must be positive"),
    "hidden abc": (["--hidden", "abc"], "expected sizes like 16,16"),
    "negative epochs": (["--epochs", "-3"], "must be at least 1"),
    "epochs abc": (["--epochs", "many"], "expected a whole number"),
    "unknown activation": (["--activation", "softmax"], "invalid choice"),
    "seven hidden layers": (["--hidden", "16,16,16,16,16,16,16"], "at most 6 hidden layers"),
    "bad snapshots": (["--snapshots", "1,x"], "expected epochs like"),
}


@pytest.mark.parametrize("case", BAD_TRAIN_FLAGS)
def test_bad_training_flags(case, tmp_path):
    flags, message = BAD_TRAIN_FLAGS[case]
    export = tmp_path / "network.json"
    line = assert_clean_failure(run_cli("train", *flags, "--export", export, "--checkpoint", tmp_path / "c.safetensors"))
    assert message in line
    assert not export.exists()


def test_unavailable_device(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the refusal cannot be shown here")
    line = assert_clean_failure(run_cli("train", "--device", "cuda", "--epochs", "1", "--export", tmp_path / "n.json"))
    assert "no such device" in line


def test_missing_checkpoint(tmp_path):
    line = assert_clean_failure(run_cli("export", "--checkpoint", tmp_path / "none.safetensors",
                                        "--export", tmp_path / "n.json"))
    assert "no checkpoint" in line


def test_damaged_checkpoint(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    line = assert_clean_failure(run_cli("export", "--checkpoint", bad, "--export", tmp_path / "n.json"))
    assert "not a usable checkpoint" in line


def test_bad_data_directory(tmp_path):
    line = assert_clean_failure(run_cli("train", "--data", tmp_path, "--epochs", "1", "--export", tmp_path / "n.json"))
    assert "no train-images-idx3-ubyte" in line


def test_label_without_digit(tmp_path):
    assert "needs --digit" in assert_clean_failure(run_cli("export", "--label", "3", "--export", tmp_path / "n.json"))


def test_train_writes_everything(tiny_training):
    from nn_explainer.model.paths import training_outputs

    checkpoint, export = tiny_training
    metrics, curve = training_outputs(checkpoint)
    assert checkpoint.exists() and export.exists() and metrics.exists()
    assert curve.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(checkpoint.parent.glob(".*.tmp"))  # no temporary left behind


def test_ctrl_c_during_training_leaves_previous_files_intact(tmp_path):
    import shutil
    import signal
    import subprocess
    import sys
    import time

    from conftest import REPO
    from nn_explainer.model import paths

    checkpoint, export = tmp_path / "network.safetensors", tmp_path / "network.json"
    shutil.copy(paths.DEFAULT_CHECKPOINT, checkpoint)
    shutil.copy(paths.DEFAULT_EXPORT, export)
    before = checkpoint.read_bytes(), export.read_bytes()
    process = subprocess.Popen([sys.executable, str(REPO / "render.py"), "train",
                                "--checkpoint", checkpoint, "--export", export],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Once training is underway: its progress bar is drawn. (While torch is being
    # imported, a Ctrl-C can be lost: torch's import briefly ignores SIGINT, measured.)
    shown = ""
    while "training" not in shown:
        character = process.stderr.read(1)
        assert character, f"render.py train ended before training: {shown}"
        shown += character
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    stderr = shown + rest
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert (checkpoint.read_bytes(), export.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["network.json", "network.safetensors"]
