"""Importing the CNN people have (pytorch/examples' mnist/main.py Net, with fewer maps):
a live module through export_module (torch.fx), a state_dict with the class that defines
it (`render.py import --module net.py:Net`), as people save checkpoints; each export's
outputs equal the model's own; BatchNorm2d and the input normalisation fold exactly;
what cannot be drawn is refused in one line naming the layer."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nn_explainer
from benchmarks.examples_net import Net
from conftest import REPO, assert_clean_failure, run_cli
from nn_explainer.model.errors import UserError
from nn_explainer.model.schema import read_export

MEAN, STD = 0.1307, 0.3081
NET_FILE = REPO / "benchmarks" / "examples_net.py"   # its Net: pytorch/examples' with 2 and 4 maps, 8 hidden units


class ViewNet(Net):
    """The same, flattening with x.view(-1, 576) and F.dropout(training=self.training)."""

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        x = F.dropout(x.view(-1, 576), 0.25, self.training)
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


class NormNet(nn.Module):
    """Conv, BatchNorm2d, ReLU, average pooling, and the normalisation inside forward()."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 5, stride=2)
        self.bn = nn.BatchNorm2d(3)
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(3 * 6 * 6, 10)

    def forward(self, x):
        x = (x - MEAN) / STD
        return self.fc(torch.flatten(self.pool(torch.relu(self.bn(self.conv(x)))), 1))


def seeded(cls):
    torch.manual_seed(0)
    net = cls()
    for module in net.modules():
        if isinstance(module, nn.BatchNorm2d):  # statistics of a trained net: the fold is not the identity
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.3, 3.0)
            module.weight.data.uniform_(0.5, 2.0)
            module.bias.data.uniform_(-0.5, 0.5)
    return net.eval()


def own_probabilities(net, export, normalise=False):
    pixels = torch.from_numpy(np.stack([e.pixels for e in export.examples])).float().reshape(-1, 1, 28, 28)
    with torch.no_grad():
        out = net((pixels - MEAN) / STD if normalise else pixels).double()
    return torch.softmax(out, dim=1).numpy()  # of logits or log-softmax alike


def drawn(export):
    return np.stack([e.maps[-1] for e in export.examples])


@pytest.mark.parametrize("cls", [Net, ViewNet])
def test_a_live_module_exports_its_own_outputs(cls, tmp_path):
    net = seeded(cls)
    path = nn_explainer.export_module(net, tmp_path / "net.json")
    export = read_export(path, convolutional=True)
    assert [layer.kind for layer in export.network.layers] == ["conv2d", "relu", "conv2d", "relu", "maxpool",
                                                                "flatten", "dense", "relu", "dense", "softmax"]
    assert export.source["kind"] == "module" and export.source["outputs"] == "log_softmax"
    assert np.abs(own_probabilities(net, export) - drawn(export)).max() < 1e-5


def test_batch_norm_and_normalisation_fold_exactly(tmp_path):
    net = seeded(NormNet)
    export = read_export(nn_explainer.export_module(net, tmp_path / "norm.json"), convolutional=True)
    notes = " ".join(export.source["notes"])
    assert "BatchNorm2d 'bn' folded into Conv2d 'conv'" in notes and "input normalisation" in notes
    example = export.examples[0]
    with torch.no_grad():
        x = torch.from_numpy(example.pixels).float().reshape(1, 1, 28, 28)
        after_norm = net.bn(net.conv((x - MEAN) / STD))[0].double().numpy()
    assert np.abs(example.maps[0] - after_norm).max() < 1e-5   # the folded conv's map is conv then BatchNorm
    assert np.abs(own_probabilities(net, export) - drawn(export)).max() < 1e-5


def test_a_state_dict_with_its_class(tmp_path):
    """`render.py import mnist_cnn.pt --module net.py:Net --normalize 0.1307,0.3081`, as
    pytorch/examples saves it (torch.save(model.state_dict(), "mnist_cnn.pt"))."""
    net = seeded(Net)
    (tmp_path / "net.py").write_text(NET_FILE.read_text())   # a user's net.py
    torch.save(net.state_dict(), tmp_path / "mnist_cnn.pt")
    out = tmp_path / "out.json"
    result = run_cli("import", tmp_path / "mnist_cnn.pt", "--module", f"{tmp_path / 'net.py'}:Net",
                     "--normalize", f"{MEAN},{STD}", "--export", out, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "input normalisation (x - 0.1307) / 0.3081 folded" in result.stdout
    export = read_export(out, convolutional=True)
    assert export.source["kind"] == "state_dict" and export.source["name"] == "mnist_cnn.pt"
    assert np.abs(own_probabilities(net, export, normalise=True) - drawn(export)).max() < 1e-5
    # a CNN's readings are compared on the first 2,000 test digits, and what it prints says so
    assert export.source["normalisation"]["digits"] == 2000
    assert "other readings (on the first 2,000 of MNIST's test digits):" in result.stdout


@pytest.mark.parametrize("saved", ["model_state_dict", "state_dict", "data_parallel"])
def test_checkpoints_as_people_save_them_load_into_the_class(saved, tmp_path):
    """{'model_state_dict': ...}, {'state_dict': ...} and DataParallel's `module.` names
    give the class the very weights of the bare state_dict."""
    from nn_explainer.model import importing
    from nn_explainer.model.importing import read_class

    net = seeded(Net)
    (tmp_path / "net.py").write_text(NET_FILE.read_text())   # a user's net.py
    state = net.state_dict()
    if saved == "data_parallel":
        state = {f"module.{name}": value for name, value in state.items()}
    content = {saved: state, "epoch": 3, "optimizer_state_dict": {"state": {}, "param_groups": []}} \
        if saved != "data_parallel" else state
    torch.save(content, tmp_path / "checkpoint.pt")
    built = read_class.build(f"{tmp_path / 'net.py'}:Net", importing.read_state_dict(tmp_path / "checkpoint.pt"), "c")
    for name, value in net.state_dict().items():
        assert torch.equal(built.state_dict()[name], value), name


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 2, 3, padding=1), nn.Conv2d(2, 2, 3, padding=1)
        self.fc = nn.Linear(2 * 28 * 28, 10)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        return self.fc(torch.flatten(F.relu(self.conv2(y)) + y, 1))


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, stride=7)
        self.attn = nn.MultiheadAttention(16, 1, batch_first=True)
        self.fc = nn.Linear(64, 10)


class Shaped(nn.Module):
    def __init__(self, channels=1, groups=1, dilation=1):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 4, 3, groups=1, dilation=1)
        self.conv2 = nn.Conv2d(4, 4, 3, groups=groups, dilation=dilation)
        self.fc = nn.Linear(4 * 12 * 12, 10)

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        return self.fc(torch.flatten(F.max_pool2d(x, 2), 1))


def _attention_forward(self, x):
    y = torch.flatten(F.relu(self.conv(x)), 2)
    return self.fc(torch.flatten(self.attn(y, y, y)[0], 1))


Attention.forward = _attention_forward


@pytest.mark.parametrize("net,named", [
    (Residual(), "combines"),
    (Attention(), "attn is a MultiheadAttention"),
    (Shaped(channels=3), "conv1 reads 3 channels"),
    (Shaped(groups=2), "conv2 is a grouped convolution"),
    (Shaped(dilation=2), "conv2 is a dilated convolution"),
])
def test_what_cannot_be_drawn_is_refused_naming_the_layer(net, named, tmp_path):
    with pytest.raises(UserError, match=named) as err:
        nn_explainer.export_module(net.eval(), tmp_path / "refused.json")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "refused.json").exists()


def test_the_cli_refuses_in_one_line(tmp_path):
    (tmp_path / "net.py").write_text(NET_FILE.read_text())   # a user's net.py
    torch.save({"conv1.weight": torch.zeros(2, 1, 3, 3)}, tmp_path / "wrong.pt")
    line = assert_clean_failure(run_cli("import", tmp_path / "wrong.pt", "--module", f"{tmp_path / 'net.py'}:Net",
                                        "--export", tmp_path / "x.json"))
    assert "do not fit Net" in line and "missing" in line
    line = assert_clean_failure(run_cli("import", tmp_path / "wrong.pt", "--module", "net.py"))
    assert "FILE.py:CLASS" in line


class BatchNormNet(Net):
    """The examples' Net with a BatchNorm2d after its second convolution."""

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv2(F.relu(self.conv1(x))))), 2)
        return F.log_softmax(self.fc2(F.relu(self.fc1(torch.flatten(x, 1)))), dim=1)


@pytest.mark.parametrize("dynamo", [False, True])
def test_onnx_from_both_torch_exporters(dynamo, tmp_path):
    """torch.onnx.export's TorchScript exporter and its default (dynamo, onnxscript) one:
    Conv, Relu, MaxPool, BatchNormalization, Flatten/Reshape, Gemm/MatMul+Add, LogSoftmax."""
    from nn_explainer.model import importing

    net = seeded(BatchNormNet)
    path = tmp_path / "net.onnx"
    torch.onnx.export(net, (torch.zeros(1, 1, 28, 28),), str(path), dynamo=dynamo,
                      **({"external_data": False} if dynamo else {}))
    imported, source = importing.read_model_file(path)   # (the TorchScript exporter folds BatchNorm itself)
    assert [layer.kind for layer in imported.layers][:5] == ["conv2d", "relu", "conv2d", "relu", "maxpool"]
    export = importing.write_import(imported, source, tmp_path / "onnx.json")
    assert export.source["kind"] == "onnx" and export.convolutional
    assert np.abs(own_probabilities(net, export) - drawn(export)).max() < 1e-5
