"""`render.py import model.onnx`: tiny networks trained here in seconds, exported by
torch.onnx.export, read back by model/importing/read_onnx.py and folded into an export whose
outputs are the model's own, to float precision; and what is not an MLP refused in one
line naming the node."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conftest import assert_clean_failure, run_cli  # noqa: E402
from nn_explainer.model import importing  # noqa: E402
from nn_explainer.model.errors import UserError  # noqa: E402
from test_normalisation import Normalised  # noqa: E402  (x - 0.1307) / 0.3081 in forward(): a Sub and a Div

MEAN, STD = 0.1307, 0.3081


class Viewed(nn.Module):
    """x.view(x.size(0), -1) first: with a dynamic batch, a Reshape whose target the
    graph computes from the input's Shape."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return self.body(x.view(x.size(0), -1))


class Skip(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(784, 16), nn.Linear(16, 16), nn.Linear(16, 10)

    def forward(self, x):
        h = torch.relu(self.a(x.flatten(1)))
        return self.c(h + torch.relu(self.b(h)))


def export(model, path, shape=(1, 1, 28, 28), **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation warning
        torch.onnx.export(model.eval(), torch.zeros(shape), str(path), dynamo=False, **options)
    return path


def train(model, images, labels, loss, steps=40):
    torch.manual_seed(0)
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for step in range(steps):
        batch = slice((step * 64) % len(images), (step * 64) % len(images) + 64)
        optimiser.zero_grad()
        loss(model(images[batch]), labels[batch]).backward()
        optimiser.step()
    return model.eval()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    from nn_explainer.model import mnist

    data = mnist.load(None)
    images = data.train_images[:512].float().div(255).reshape(-1, 1, 28, 28)
    labels = data.train_labels[:512].long()
    folder = tmp_path_factory.mktemp("onnx")
    torch.manual_seed(1)
    logits = train(Normalised(nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                                            nn.Linear(16, 10))), images, labels, nn.CrossEntropyLoss())
    one_hot = nn.functional.one_hot(labels, 10).float()
    sigmoid = train(Viewed(nn.Sequential(nn.Linear(784, 24), nn.BatchNorm1d(24), nn.Tanh(), nn.Dropout(0.1),
                                         nn.Linear(24, 10), nn.Sigmoid())),
                    images, one_hot, lambda out, target: nn.functional.binary_cross_entropy(out, target))
    log_softmax = train(nn.Sequential(nn.Flatten(), nn.Linear(784, 20, bias=False), nn.Sigmoid(), nn.Linear(20, 10),
                                      nn.LogSoftmax(-1)), images, labels, nn.NLLLoss())
    return {
        "logits": (logits, export(logits, folder / "logits.onnx")),
        "sigmoid": (sigmoid, export(sigmoid, folder / "sigmoid.onnx", input_names=["image"],
                                    dynamic_axes={"image": {0: "batch"}})),
        "log_softmax": (log_softmax, export(log_softmax, folder / "log_softmax.onnx")),
    }


def imported_export(path, tmp_path, **options):
    imported, source = importing.read_model_file(path, **options)
    return importing.write_import(imported, source, tmp_path / "x.json"), source


def model_outputs(model, examples):
    pixels = torch.tensor(np.stack([e.pixels for e in examples]), dtype=torch.float32).reshape(-1, 1, 28, 28)
    with torch.no_grad():
        return model(pixels).double().numpy()


def test_a_normalised_logits_mlp_gives_the_models_own_probabilities(models, tmp_path):
    model, path = models["logits"]
    graph = onnx.load(str(path)).graph
    assert [n.op_type for n in graph.node if n.op_type != "Constant"] == \
        ["Sub", "Div", "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm"]
    exported, source = imported_export(path, tmp_path)  # a graph ending in a Linear: logits
    assert exported.network.output_activation == "softmax"
    assert exported.network.sizes == [784, 32, 16, 10]
    assert source["kind"] == "onnx" and source["outputs"] == "logits"
    assert source["normalize"] == [MEAN, STD] and exported.source["normalize"] == [MEAN, STD]
    expected = torch.softmax(torch.tensor(model_outputs(model, exported.examples)), -1).numpy()
    ours = np.stack([e.a[-1] for e in exported.examples])
    np.testing.assert_allclose(ours, expected, atol=1e-5)
    assert [e.prediction for e in exported.examples] == list(expected.argmax(1))


def test_sigmoid_outputs_batch_norm_dropout_and_a_computed_reshape(models, tmp_path):
    model, path = models["sigmoid"]
    ops = [n.op_type for n in onnx.load(str(path)).graph.node]
    assert {"Shape", "Concat", "Reshape", "BatchNormalization"} <= set(ops)
    exported, source = imported_export(path, tmp_path)
    assert exported.network.output_activation == "sigmoid" and exported.network.hidden_activation == "tanh"
    assert source["outputs"] == "sigmoid" and source["normalize"] is None
    assert any("BatchNorm" in note for note in source["notes"])
    ours = np.stack([e.a[-1] for e in exported.examples])
    np.testing.assert_allclose(ours, model_outputs(model, exported.examples), atol=1e-5)


def test_log_softmax_outputs_are_drawn_as_their_probabilities(models, tmp_path):
    model, path = models["log_softmax"]
    assert "MatMul" in [n.op_type for n in onnx.load(str(path)).graph.node]  # Linear(bias=False)
    exported, source = imported_export(path, tmp_path)
    assert source["outputs"] == "log_softmax" and exported.network.output_activation == "softmax"
    ours = np.stack([e.a[-1] for e in exported.examples])
    np.testing.assert_allclose(ours, np.exp(model_outputs(model, exported.examples)), atol=1e-5)


def test_a_hand_built_graph_matmul_add_and_gemm_attributes(models, tmp_path):
    """MatMul + Add (the form other exporters give a Linear), and a Gemm with transB=0,
    alpha and beta: the same network as the logits model, written another way."""
    from onnx import TensorProto, helper, numpy_helper

    model, _ = models["logits"]
    body = model.body
    w1, b1 = (p.detach().numpy() for p in (body[1].weight, body[1].bias))
    w2, b2 = (p.detach().numpy() for p in (body[3].weight, body[3].bias))
    w3, b3 = (p.detach().numpy() for p in (body[5].weight, body[5].bias))
    initialisers = [numpy_helper.from_array(a.astype(np.float32), name) for a, name in (
        (np.float32(MEAN), "mean"), (np.float32(STD), "std"), (w1.T, "w1"), (b1, "b1"), (w2.T, "w2"), (b2, "b2"),
        (w3.T / 2, "w3"), (b3 * 4, "b3"))]
    nodes = [helper.make_node("Sub", ["x", "mean"], ["s"], name="sub"),
             helper.make_node("Div", ["s", "std"], ["d"], name="div"),
             helper.make_node("MatMul", ["d", "w1"], ["m1"], name="fc1"),
             helper.make_node("Add", ["m1", "b1"], ["z1"], name="fc1_bias"),
             helper.make_node("Relu", ["z1"], ["a1"], name="relu1"),
             helper.make_node("Gemm", ["a1", "w2", "b2"], ["z2"], name="fc2"),
             helper.make_node("Relu", ["z2"], ["a2"], name="relu2"),
             helper.make_node("Gemm", ["a2", "w3", "b3"], ["z3"], name="fc3", alpha=2.0, beta=0.25),
             helper.make_node("Softmax", ["z3"], ["y"], name="softmax", axis=1)]
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 784])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])], initialisers)
    path = tmp_path / "hand.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    exported, source = imported_export(path, tmp_path)
    assert source["outputs"] == "softmax" and source["normalize"] == [MEAN, STD]
    expected = torch.softmax(torch.tensor(model_outputs(model, exported.examples)), -1).numpy()
    np.testing.assert_allclose(np.stack([e.a[-1] for e in exported.examples]), expected, atol=1e-5)


def refusal(path, named=True, **options) -> str:
    with pytest.raises(UserError) as caught:
        importing.read_model_file(path, **options)
    message = str(caught.value)
    assert "\n" not in message and (message.startswith(f"{path}: ") or not named), message
    return message


def test_what_is_not_an_mlp_is_refused_naming_the_node(models, tmp_path):
    torch.manual_seed(0)
    conv = export(nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3, groups=2), nn.ReLU(), nn.Flatten(),
                                nn.Linear(4 * 24 * 24, 10)), tmp_path / "conv.onnx")   # a CNN is read, but not grouped
    message = refusal(conv)
    assert "node '/2/Conv' is a grouped convolution" in message

    colour = export(nn.Sequential(nn.Flatten(), nn.Linear(3 * 784, 16), nn.ReLU(), nn.Linear(16, 10)),
                    tmp_path / "colour.onnx", shape=(1, 3, 28, 28))
    assert "3x28x28 (3 channels)" in refusal(colour, outputs="logits")

    skip = export(Skip(), tmp_path / "skip.onnx")
    message = refusal(skip, outputs="logits")
    assert "'/Add'" in message and "skip connection" in message

    message = refusal(models["logits"][1], named=False, activation="relu")
    assert "--activation" in message and "leave --activation out" in message

    data = models["logits"][1].read_bytes()
    for cut, name in ((len(data) // 2, "half.onnx"), (len(data) - 5, "short.onnx"), (0, "empty.onnx")):
        (tmp_path / name).write_bytes(data[:cut])
        assert "ONNX" in refusal(tmp_path / name)


def test_the_command_line_imports_an_onnx_graph(models, tmp_path):
    target = tmp_path / "cli.json"
    result = run_cli("import", models["logits"][1], "--export", target, timeout=300)  # as the README says it
    assert result.returncode == 0, result.stderr
    assert target.exists() and "folded: input normalisation (x - 0.1307) / 0.3081" in result.stdout
    line = assert_clean_failure(run_cli("import", models["logits"][1], "--activation", "relu",
                                        "--export", tmp_path / "no.json"))
    assert "--activation" in line and not (tmp_path / "no.json").exists()
