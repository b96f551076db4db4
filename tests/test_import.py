"""`render.py import`: networks trained elsewhere, the ways people train them, drawn as
truly as ours. Each model is trained here, in the test, its own way; its export must give
the model's own outputs (the softmax of its logits) for every example, every beat that
needs no training run of ours must draw it, and what cannot be drawn is refused in one line."""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from conftest import run_cli
from nn_explainer import cli
from nn_explainer.scenes.speech import spoken
from nn_explainer.model.errors import UserError
from nn_explainer.model.schema import read_export
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.outline import scene_class
from scene_state import diagram, fills, run_scene, written

MEAN, STD = 0.1307, 0.3081


class SigmoidNet(nn.Module):
    """A subclass whose forward calls torch functions between its Linears, inputs left in 0..1."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(784, 20), nn.Linear(20, 12), nn.Linear(12, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        return self.out(torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x)))))


def trained(model, mnist, normalise: bool, steps=40):
    """A few Adam steps of CrossEntropyLoss on 2,000 training digits: enough to read digits."""
    torch.manual_seed(0)
    pixels = mnist.train_images[:2000].float().div(255).reshape(-1, 1, 28, 28)
    labels = mnist.train_labels[:2000]
    inputs = (pixels - MEAN) / STD if normalise else pixels
    optimiser = torch.optim.Adam(model.parameters(), 1e-2)
    model.train()
    for _ in range(steps):
        optimiser.zero_grad()
        F.cross_entropy(model(inputs), labels).backward()
        optimiser.step()
    return model.eval()


MODELS = {  # name: (build, normalised inputs, the CLI's flags)
    "sequential, CrossEntropyLoss, Normalize": (
        lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                              nn.Linear(16, 10)),
        True, ["--activation", "relu", "--outputs", "logits", "--normalize", f"{MEAN},{STD}"]),
    "subclass with torch.sigmoid, pixels in 0..1": (SigmoidNet, False, ["--activation", "sigmoid", "--outputs", "logits"]),
    "BatchNorm1d and Dropout": (
        lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 24), nn.BatchNorm1d(24), nn.ReLU(), nn.Dropout(0.3),
                              nn.Linear(24, 10)),
        True, ["--activation", "relu", "--outputs", "logits", "--normalize", f"{MEAN},{STD}"]),
}


_imports = {}


@pytest.fixture(scope="module", params=list(MODELS))
def imported(request, mnist, tmp_path_factory):
    """(model, its inputs' normalisation, export path, export): trained here, saved as a
    state_dict (.pt, or .safetensors for one), imported through the CLI."""
    if request.param not in _imports:
        _imports[request.param] = import_one(request.param, mnist, tmp_path_factory)
    return _imports[request.param]


@pytest.fixture(scope="module")
def sequential(mnist, tmp_path_factory):
    """The commonest shape of all: nn.Sequential, CrossEntropyLoss, Normalize."""
    name = next(iter(MODELS))
    if name not in _imports:
        _imports[name] = import_one(name, mnist, tmp_path_factory)
    return _imports[name]


def import_one(name, mnist, tmp_path_factory):
    build, normalise, flags = MODELS[name]
    model = trained(build(), mnist, normalise)
    folder = tmp_path_factory.mktemp("imported")
    if isinstance(model, SigmoidNet):
        from safetensors.torch import save_file

        saved = folder / "sigmoid_net.safetensors"
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(saved))
    else:
        saved = folder / "net.pt"
        torch.save(model.state_dict(), saved)
    export = folder / "net.json"
    assert cli.main(["import", str(saved), *flags, "--export", str(export)]) == 0
    return model, normalise, export, read_export(export)


def own_outputs(model, normalise, pixels):
    """The model's own answer for pixels in 0..1, as its user computes it: softmax of its logits."""
    x = torch.tensor(np.asarray(pixels), dtype=torch.float32).reshape(-1, 1, 28, 28)
    with torch.no_grad():
        return torch.softmax(model((x - MEAN) / STD if normalise else x), dim=-1).double().numpy()


def test_the_export_gives_the_models_own_outputs(imported):
    model, normalise, _, export = imported
    pixels = np.stack([e.pixels for e in export.examples])
    theirs = own_outputs(model, normalise, pixels)
    ours = np.stack([e.a[-1] for e in export.examples])
    assert np.abs(ours - theirs).max() < 1e-5
    assert [e.prediction for e in export.examples] == list(theirs.argmax(axis=1))
    assert export.network.output_activation == "softmax" and export.source["outputs"] == "logits"
    assert not export.trained_here and set(export.training) == {"train_accuracy", "test_accuracy", "dataset_sha256"}
    assert export.training["test_accuracy"] > 0.5  # a network that reads digits, measured on MNIST's test set


def test_the_export_says_what_was_folded(imported):
    model, normalise, _, export = imported
    notes = " ".join(export.source["notes"])
    assert ("normalisation (x - 0.1307) / 0.3081" in notes) == normalise
    assert export.source["normalize"] == ([MEAN, STD] if normalise else None)
    has_norm = any(isinstance(m, nn.BatchNorm1d) for m in model.modules())
    assert ("BatchNorm1d '2' folded into Linear '1'" in notes) == has_norm
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert export.network.sizes == [784, *(m.out_features for m in linears)]


def test_every_beat_draws_the_imported_network(sequential):
    """Every beat that needs no training run of ours plays to its end, says its script,
    and the outputs it fills are the export's softmax probabilities. (Every beat for one
    network: the others' differences, depth and activation, are test_any_network's.)"""
    import importlib

    from nn_explainer.scenes.outline import ALL_BEATS, MLP, RUN_BEATS, scene_class
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story

    _, _, path, export = sequential
    story = Story.read(Settings(export=path))
    for beat in ALL_BEATS:
        if beat.name in RUN_BEATS or MLP not in beat.kinds:  # a CNN's beats: test_convolutions
            continue
        played = run_scene(scene_class(beat.name), export=path)
        assert played.renderer.time > 2, beat.name
        heard = [line.text for line in played.narrator.spoken]
        assert heard == list(importlib.import_module(beat.module).script(story).values()), beat.name
        if beat.name == "ForwardPass":
            assert np.allclose(fills(played)[-1], export.example("train:7").a[-1], atol=1e-6)
            assert "softmax probability" in heard[-1]
        if beat.name == "NetworkIsAFunction":
            assert any(r"\mathrm{softmax}(z_0" in text for text in written(played))
        if beat.name == "Sigmoid":
            assert f"this network's activation function: {spoken.activation_name(export.network.hidden_activation)}" in written(played)
    assert len(diagram(run_scene(scene_class("Layers"), export=path)).layers) == len(export.network.sizes)


def test_the_training_run_beats_refuse_and_chapters_go_without_them(sequential, tmp_path, capsys):
    from nn_explainer.publish.requests import RenderRequest
    from nn_explainer.scenes.outline import CHAPTERS, MLP, RUN_BEATS, SCENES

    _, _, path, _ = sequential
    for name in sorted(RUN_BEATS):
        if MLP not in SCENES[name].kinds:  # a CNN's run beat: refused for its kind first (test_conv_chapter_end)
            continue
        capsys.readouterr()
        assert cli.main(["render", name, "--export", str(path), "--media-dir", str(tmp_path)]) == 2
        line, = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert f"{name} draws our training run" in line and "trained elsewhere" in line
    for chapter, beats in CHAPTERS.items():
        kept = RenderRequest(scene=chapter, export=path).beats()
        wanted = [b.name for b in beats if b.name not in RUN_BEATS] if MLP in SCENES[chapter].kinds else []
        assert list(kept) == wanted, chapter


def test_the_answer_drawn_is_the_models(imported):
    model, normalise, path, export = imported
    played = run_scene(scene_class("ForwardPass"), export=path)
    three = export.example("train:7")
    assert np.allclose(fills(played)[-1], own_outputs(model, normalise, three.pixels)[0], atol=1e-5)
    assert fmt(three.a[-1][three.prediction]) in written(played)


def test_a_clip_of_an_imported_network_renders(sequential, tmp_path):
    _, _, path, _ = sequential
    result = run_cli("render", "NetworkIsAFunction", "--export", path, "--quality", "low", "--media-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    clip, poster = Path(lines[0]), Path(next(line for line in lines if "poster:" in line).split("poster: ")[1])
    assert clip.exists() and clip.suffix == ".mp4" and clip.stat().st_size > 0 and poster.exists()


# Refusals: one line each, nothing written (in-process, as test_bad_input's: a fresh
# interpreter per case would cost seconds each).

@pytest.fixture
def refused(tmp_path, capsys):
    def refuse(saved, *flags) -> str:
        export = tmp_path / "out.json"
        capsys.readouterr()
        code = cli.main(["import", str(saved), *map(str, flags), "--export", str(export)])
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
        assert not export.exists() and not list(tmp_path.glob("*.tmp*"))
        return lines[0]
    return refuse


def test_a_conv_net_is_refused_naming_the_layer(tmp_path, refused):
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
    torch.save(net.state_dict(), tmp_path / "conv.pt")
    line = refused(tmp_path / "conv.pt", "--activation", "relu", "--outputs", "logits")
    assert "0 has a 4-dimensional weight" in line and "Conv2d" in line


def test_a_pickled_module_is_never_unpickled(tmp_path, refused):
    torch.save(nn.Sequential(nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10)), tmp_path / "whole.pt")
    line = refused(tmp_path / "whole.pt", "--activation", "relu", "--outputs", "logits")
    assert "never unpickles" in line and "torch.save(model.state_dict()" in line
    # said whole: the class it holds, not torch's paragraph cut mid-word with its bold escapes
    assert "it names torch.nn.modules.container.Sequential" in line and "\x1b" not in line


class Payload:
    """A pickle that would write a file when loaded, if anything ever unpickled it."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_a_malicious_pickle_runs_nothing(tmp_path, refused):
    target = tmp_path / "pwned.txt"
    torch.save({"fc.weight": torch.zeros(10, 784), "trap": Payload(str(target))}, tmp_path / "evil.pt")
    line = refused(tmp_path / "evil.pt", "--activation", "relu", "--outputs", "logits")
    assert "never unpickles" in line
    assert not target.exists()


def test_shapes_that_do_not_chain_are_refused(tmp_path, refused):
    state = {"a.weight": torch.zeros(32, 784), "a.bias": torch.zeros(32),
             "b.weight": torch.zeros(10, 30), "b.bias": torch.zeros(10)}
    torch.save(state, tmp_path / "broken.pt")
    line = refused(tmp_path / "broken.pt", "--activation", "relu", "--outputs", "logits")
    assert "Linear b takes 30 inputs, but the layer before gives 32" in line


def test_a_three_channel_input_is_refused(tmp_path, refused):
    net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 784, 16), nn.ReLU(), nn.Linear(16, 10))
    torch.save(net.state_dict(), tmp_path / "rgb.pt")
    line = refused(tmp_path / "rgb.pt", "--activation", "relu", "--outputs", "logits")
    assert "takes 2352 inputs" in line and "784 pixels" in line


def test_what_a_state_dict_cannot_say_must_be_said(tmp_path, refused):
    net = nn.Sequential(nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10))
    torch.save(net.state_dict(), tmp_path / "net.pt")
    assert "--activation" in refused(tmp_path / "net.pt", "--outputs", "logits")
    assert "--outputs" in refused(tmp_path / "net.pt", "--activation", "relu")
    assert "--normalize takes MEAN,STD" in refused(tmp_path / "net.pt", "--activation", "relu",
                                                   "--outputs", "logits", "--normalize", "0.13")


def test_an_edited_imported_export_is_refused(sequential, tmp_path):
    """The reader's recomputation covers imported networks too: the softmax outputs included."""
    import json

    _, _, path, _ = sequential
    doc = json.loads(path.read_text())
    doc["examples"][0]["a"][-1][0] += 0.01
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    with pytest.raises(UserError, match="were not produced by its network"):
        read_export(edited)


def test_import_help_says_what_model_may_be(capsys):
    try:
        code = cli.main(["import", "--help"])
    except SystemExit as done:
        code = done.code
    text = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert all(kind in text for kind in (".pt", ".pth", ".safetensors", ".onnx", "state_dict", "ONNX graph"))


def test_imported_exports_stay_out_of_git_status():
    import subprocess

    from nn_explainer.model import paths

    imported = paths.IMPORTED_DIR  # in a clone: assets/imported/
    ignored = subprocess.run(["git", "check-ignore", "-q", str(imported / "mlp.json")], cwd=imported.parent.parent)
    assert ignored.returncode == 0


def test_a_slow_step_says_so_on_stderr(tmp_path, monkeypatch, capsys):
    """Each step of an import that runs longer than progress.SLOW names itself (here
    every step: SLOW is 0), and a quick one says nothing."""
    import io
    import time

    from nn_explainer.model import progress

    stream = io.StringIO()
    with progress.Steps("x", stream, slow=0.5)("quick"):
        pass
    with progress.Steps("x", stream, slow=0.05)("slow"):
        time.sleep(0.3)
    assert stream.getvalue().splitlines()[0] == "x: slow..." and len(stream.getvalue().splitlines()) == 2

    monkeypatch.setattr(progress, "SLOW", 0.0)
    net = nn.Sequential(nn.Linear(784, 16), nn.Sigmoid(), nn.Linear(16, 10))
    torch.save(net.state_dict(), tmp_path / "net.pt")
    capsys.readouterr()
    assert cli.main(["import", str(tmp_path / "net.pt"), "--activation", "sigmoid", "--outputs", "logits",
                     "--normalize", "0,1", "--export", str(tmp_path / "net.json")]) == 0
    err = capsys.readouterr().err
    for step in ("its accuracies", "the neuron evidence", "chapter two's gradients", "the check every reader makes"):
        assert f"render.py import: {step}" in err, err
