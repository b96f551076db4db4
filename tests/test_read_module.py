"""A live nn.Module, traced with torch.fx (model/importing/read_module.py, `nn_explainer.export_module`):
each kind of model a user trains is drawn as exactly what it computes (every example's
output in the export equals the module's own), and what is not an MLP is refused in
one line naming the layer, with nothing written."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nn_explainer
from nn_explainer.model.errors import UserError
from nn_explainer.model.schema import read_export

SAME = 1e-5   # the export's outputs against the module's own


@pytest.fixture(scope="module")
def digits():
    """A few hundred MNIST digits, [N, 1, 28, 28] in [0, 1], and their labels."""
    from nn_explainer.model.mnist import load

    data = load(None)
    return data.train_images[:400].float().div(255).unsqueeze(1), data.train_labels[:400].long()


def train(model: nn.Module, digits, loss, steps: int = 30) -> nn.Module:
    torch.manual_seed(0)
    images, labels = digits
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        optimiser.zero_grad()
        loss(model(images), labels).backward()
        optimiser.step()
    return model


def assert_drawn_as_itself(model: nn.Module, export_path: Path, probabilities) -> None:
    """Every example's output in the export equals the module's own (as probabilities)."""
    export = read_export(export_path)
    pixels = torch.tensor(np.stack([e.pixels for e in export.examples]), dtype=torch.float32)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        own = probabilities(model(pixels.reshape(-1, 1, 28, 28))).double().numpy()
    model.train(was_training)
    drawn = np.stack([e.a[-1] for e in export.examples])
    assert np.abs(drawn - own).max() <= SAME, np.abs(drawn - own).max()
    assert (drawn.argmax(1) == own.argmax(1)).all()
    return export


class Normalized(nn.Module):
    """transforms.Normalize((0.1307,), (0.3081,)) moved into forward(), before a Sequential."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                                  nn.Linear(16, 10))

    def forward(self, x):
        return self.body((x - 0.1307) / 0.3081)


def test_a_sequential_trained_with_cross_entropy_and_normalising_in_forward(digits, tmp_path):
    model = train(Normalized(), digits, nn.CrossEntropyLoss())
    path = nn_explainer.export_module(model, tmp_path / "normalized.json")  # outputs: logits, by default
    export = assert_drawn_as_itself(model, path, lambda logits: torch.softmax(logits.double(), 1))
    assert export.network.sizes == [784, 32, 16, 10]
    assert (export.network.hidden_activation, export.network.output_activation) == ("relu", "softmax")
    source = export.source
    assert (source["kind"], source["name"], source["outputs"]) == ("module", "Normalized", "logits")
    assert source["normalize"] == pytest.approx([0.1307, 0.3081])
    assert any("normalisation" in note for note in source["notes"])
    assert model.training  # read in eval mode, left in the mode it was in


class SigmoidOut(nn.Module):
    """A subclass whose forward() calls the functions: F.relu between, torch.sigmoid at the end."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 20), nn.Linear(20, 12), nn.Linear(12, 10)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        return torch.sigmoid(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))))


def test_a_subclass_calling_functions_ends_in_its_own_sigmoid(digits, tmp_path):
    model = train(SigmoidOut(), digits, lambda out, labels: F.binary_cross_entropy(out, F.one_hot(labels, 10).float()))
    path = nn_explainer.export_module(model, tmp_path / "sigmoid.json", name="my sigmoid net")
    export = assert_drawn_as_itself(model, path, lambda out: out)
    assert export.network.sizes == [784, 20, 12, 10]
    assert (export.network.hidden_activation, export.network.output_activation) == ("relu", "sigmoid")
    assert (export.source["outputs"], export.source["name"], export.source["normalize"]) == \
        ("sigmoid", "my sigmoid net", None)


class Regularised(nn.Module):
    """BatchNorm1d after each hidden Linear, Dropout after each activation, LogSoftmax out."""

    def __init__(self):
        super().__init__()
        self.fc1, self.bn1, self.drop = nn.Linear(784, 24), nn.BatchNorm1d(24), nn.Dropout(0.3)
        self.fc2, self.bn2, self.fc3 = nn.Linear(24, 16), nn.BatchNorm1d(16), nn.Linear(16, 10)
        self.out = nn.LogSoftmax(dim=1)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = self.drop(torch.tanh(self.bn1(self.fc1(x))))
        x = self.drop(torch.tanh(self.bn2(self.fc2(x))))
        return self.out(self.fc3(x))


def test_batch_norm_is_folded_and_dropout_passes(digits, tmp_path):
    model = train(Regularised(), digits, nn.NLLLoss())  # the running statistics are the training's
    assert model.bn1.running_var.sub(1).abs().max() > 0.01
    path = nn_explainer.export_module(model, tmp_path / "regularised.json")
    export = assert_drawn_as_itself(model, path, torch.exp)
    assert export.network.sizes == [784, 24, 16, 10]
    assert export.network.hidden_activation == "tanh" and export.source["outputs"] == "log_softmax"
    notes = export.source["notes"]
    assert sum("BatchNorm1d" in note and "folded" in note for note in notes) == 2, notes
    assert "'bn1'" in " ".join(notes) and "'fc1'" in " ".join(notes)
    assert model.training


class Conv(nn.Module):
    def __init__(self):
        super().__init__()
        # dilated: a CNN is read (tests/test_import_cnn.py), but not one of these
        self.conv1, self.fc1, self.fc2 = nn.Conv2d(1, 4, 3, dilation=2), nn.Linear(4 * 24 * 24, 16), nn.Linear(16, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(F.relu(self.conv1(x)).flatten(1))))


class Skip(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 16), nn.Linear(16, 16), nn.Linear(16, 10)

    def forward(self, x):
        h = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(h)) + h)


class Branching(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(784, 16), nn.Linear(16, 10)

    def forward(self, x):
        if x.sum() > 0:  # control flow on a tensor: torch.fx cannot follow it
            x = x * 1
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


class TwoFaced(nn.Module):
    """Traced, x is a Proxy and the doubling is left out: the graph is not the model."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(784, 16), nn.Linear(16, 10)

    def forward(self, x):
        if isinstance(x, torch.Tensor):
            x = x * 2
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


@pytest.mark.parametrize("model, said", [
    (Conv(), "the model: conv1 is a dilated convolution"),
    (Skip(), "the model: add (operator.add) combines relu_1 and relu (a skip connection or a branch)"),
    (nn.Sequential(nn.Flatten(), nn.Linear(3 * 784, 16), nn.ReLU(), nn.Linear(16, 10)),
     "the model: the input is 3x28x28 (3 channels); nn-explainer draws networks that read one 28x28 grey image"),
    (Branching(), "the model: torch.fx cannot trace it (TraceError): symbolically traced variables cannot be "
                  "used as inputs to control flow"),
    (nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.MaxPool1d(2), nn.Linear(8, 10)),
     "the model: 3 is a MaxPool1d"),
])
def test_what_is_not_a_chain_of_linear_layers_is_refused_in_one_line(model, said, tmp_path):
    with pytest.raises(UserError) as refused:
        nn_explainer.export_module(model, tmp_path / "refused.json")
    message = str(refused.value)
    assert message.startswith(said), message
    assert "\n" not in message
    assert not (tmp_path / "refused.json").exists() and not list(tmp_path.iterdir())


def test_a_graph_that_is_not_the_model_is_refused_and_the_export_there_kept(tmp_path):
    path = tmp_path / "kept.json"
    path.write_text("an earlier export\n")
    with pytest.raises(UserError, match=r"^the model: the traced network disagrees with the model itself on "
                                        r"(train|test):[0-9]+ by [0-9.e-]+; .*nothing was written$"):
        nn_explainer.export_module(TwoFaced(), path)
    assert path.read_text() == "an earlier export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.json"]  # no temporary left behind


def test_a_state_dict_file_without_its_activation_is_refused(tmp_path):
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10))
    torch.save(model.state_dict(), tmp_path / "weights.pt")
    with pytest.raises(UserError, match="does not say its activation"):
        nn_explainer.import_file(tmp_path / "weights.pt", tmp_path / "out.json", outputs="logits")
    assert not (tmp_path / "out.json").exists()


def test_the_console_script_runs(tmp_path):
    script = Path(sys.executable).with_name("nn-explainer")
    assert script.is_file(), f"{script}: no console script (pip install -e . makes it)"
    result = subprocess.run([str(script), "list"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert any(line.startswith("ForwardPass ") for line in result.stdout.splitlines()), result.stdout
