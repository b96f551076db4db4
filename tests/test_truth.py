"""An export whose numbers its network did not produce is refused everywhere it can be
read: by `render`, by `all`, and by the stock manim CLI, with one line, exit 2, and no
clip written."""
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, assert_clean_failure, run_cli
from nn_explainer.model import paths


def _swap_outputs(doc):
    example = doc["examples"][0]
    outputs, first = example["a"][-1], example["prediction"]
    second = (first + 1) % 10
    outputs[first], outputs[second] = outputs[second], outputs[first]


def _change_prediction(doc):
    doc["examples"][0]["prediction"] = (doc["examples"][0]["prediction"] + 1) % 10


def _other_digit(doc):
    examples = doc["examples"]
    examples[0]["pixels"] = examples[0]["a"][0] = examples[1]["pixels"]


TAMPERED = {"outputs swapped": _swap_outputs, "prediction changed": _change_prediction,
            "another digit's pixels": _other_digit}


@pytest.fixture(params=list(TAMPERED))
def tampered(request, tmp_path):
    doc = json.loads(paths.DEFAULT_EXPORT.read_text())
    TAMPERED[request.param](doc)
    path = tmp_path / "network.json"
    path.write_text(json.dumps(doc))
    return path


def no_clips(folder):
    return not folder.exists() or not [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".mp4", ".png", ".json", ".gif")]


def test_render_refuses(tampered, tmp_path):
    line = assert_clean_failure(run_cli("render", "ForwardPass", "--export", tampered, "--media-dir", tmp_path / "m"))
    assert "train:7" in line
    assert no_clips(tmp_path / "m")


@pytest.mark.parametrize("command", [["render", "ParameterCount"], ["all", "--scenes", "ParameterCount", "WeightedSum"]])
def test_every_command_exits_2(command, tampered, tmp_path):
    result = run_cli(*command, "--export", tampered, "--media-dir", tmp_path / "m")
    assert result.returncode == 2
    assert "not produced by its network" in result.stderr or "brightest output" in result.stderr
    assert_clean_failure(result)
    assert no_clips(tmp_path / "m")


def test_the_stock_manim_cli_refuses(tampered, tmp_path):
    env = {**os.environ, "NN_EXPLAINER_EXPORT": str(tampered)}
    result = subprocess.run([sys.executable, "-m", "manim", "render", "-ql", str(REPO / "scenes/chapter_one/forward_pass.py"),
                             "ForwardPass", "--media_dir", str(tmp_path / "m")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    line = assert_clean_failure(result)
    assert line.startswith("ForwardPass: error:") and "train:7" in line
    assert no_clips(tmp_path / "m")
