"""The export file: consistent with itself, with the committed checkpoint, and
refused clearly when damaged."""
import json

import numpy as np
import pytest

from conftest import assert_clean_failure, run_cli
from nn_explainer.model import paths
from nn_explainer.model.errors import UserError
from nn_explainer.model.schema import read_export


# Written out again here, so the test does not trust model/activations.py.
NUMPY_ACTIVATIONS = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0)}


def recompute(network, pixels):
    """a = σ(W a_prev + b), written out again here so the test does not trust export.py."""
    a = pixels
    zs, activations = [], [a]
    for index, (w, b) in enumerate(zip(network.weights, network.biases)):
        z = w @ a + b
        last = index == len(network.weights) - 1
        a = NUMPY_ACTIVATIONS[network.output_activation if last else network.hidden_activation](z)
        zs.append(z)
        activations.append(a)
    return zs, activations


@pytest.mark.parametrize("which", ["tiny", "committed", "committed-relu"])
def test_activations_equal_a_recomputation(which, tiny_training):
    path = {"tiny": tiny_training[1], "committed": paths.DEFAULT_EXPORT, "committed-relu": paths.RELU_EXPORT}[which]
    exported = read_export(path)
    assert len(exported.examples) >= 25
    for example in exported.examples:
        zs, activations = recompute(exported.network, example.pixels)
        for mine, theirs in zip(zs + activations, example.z + example.a):
            assert np.allclose(mine, theirs, rtol=1e-6, atol=1e-6), example.id
        assert example.prediction == int(np.argmax(activations[-1]))


def test_committed_export_has_the_sloppy_three_right():
    exported = read_export(paths.DEFAULT_EXPORT)
    three = exported.example("train:7")
    assert three.source == "mnist-train" and three.index == 7
    assert three.label == 3 and three.prediction == 3


def test_committed_export_lists_the_promised_examples(mnist):
    exported = read_export(paths.DEFAULT_EXPORT)
    ids = [e.id for e in exported.examples]
    assert ids[0] == "train:7"
    threes = [int(i) for i in np.flatnonzero(mnist.train_labels.numpy() == 3)[:10]]
    assert all(f"train:{i}" in ids for i in threes)
    assert all(f"test:{i}" in ids for i in range(15))
    misses = [e for e in exported.examples if e.source == "mnist-test" and e.prediction != e.label]
    assert misses, "the first misclassified test digit is missing"
    for example in exported.examples:
        if example.source == "mnist-train":
            expected = mnist.train_images[example.index].numpy().reshape(-1) / 255
            assert np.allclose(example.pixels, expected, atol=1e-7)


def test_committed_export_matches_committed_checkpoint():
    from nn_explainer.model.checkpoint import load_checkpoint

    model, training, history = load_checkpoint(paths.DEFAULT_CHECKPOINT)
    exported = read_export(paths.DEFAULT_EXPORT)
    assert exported.network.sizes == model.sizes == [784, 16, 16, 10]
    assert exported.network.parameter_count == 13002
    for (w, b), ew, eb in zip(model.pixel_space_parameters(), exported.network.weights, exported.network.biases):
        assert np.allclose(w, ew, rtol=1e-7, atol=1e-9) and np.allclose(b, eb, rtol=1e-7, atol=1e-9)
    assert exported.training["seed"] == training["seed"] == 0
    assert exported.training["test_accuracy"] == training["test_accuracy"]
    assert len(history) == training["epochs"]


@pytest.mark.parametrize("which", ["sigmoid", "relu"])
def test_checkpoint_reproduces_every_exported_activation(which):
    """The model package's own forward pass, loaded from the checkpoint, gives the
    export's numbers: the export describes the trained network, not another one."""
    import torch

    from nn_explainer.model.checkpoint import load_checkpoint

    checkpoint, export = {"sigmoid": (paths.DEFAULT_CHECKPOINT, paths.DEFAULT_EXPORT),
                          "relu": (paths.DEFAULT_CHECKPOINT.with_name("network-relu.safetensors"), paths.RELU_EXPORT)}[which]
    model, _, _ = load_checkpoint(checkpoint)
    model.eval()
    exported = read_export(export)
    pixels = torch.tensor(np.stack([e.pixels for e in exported.examples]), dtype=torch.float64)
    with torch.no_grad():
        _, activations = model.double()(pixels)
    for index, example in enumerate(exported.examples):
        for layer, exported_a in enumerate(example.a[1:], start=1):
            assert np.allclose(activations[layer][index].numpy(), exported_a, atol=1e-6, rtol=0), (example.id, layer)


def test_committed_relu_export_is_relu():
    exported = read_export(paths.RELU_EXPORT)
    assert exported.network.hidden_activation == "relu"
    assert exported.network.output_activation == "sigmoid"


# --- damaged exports: each refused with one clear line, the file untouched ---------

def _damaged(tmp_path, mutate):
    doc = json.loads(paths.DEFAULT_EXPORT.read_text())
    text = mutate(doc)
    path = tmp_path / "network.json"
    path.write_text(text if isinstance(text, str) else json.dumps(doc))
    return path


def _with_bias(doc, literal):
    """The document as text with its first bias replaced by a raw JSON literal."""
    doc["network"]["biases"][0][0] = "PLACEHOLDER"
    return json.dumps(doc).replace('"PLACEHOLDER"', literal)


DAMAGE = {
    "truncated": (lambda doc: paths.DEFAULT_EXPORT.read_text()[:5000], "truncated or not JSON"),
    "wrong shape": (lambda doc: doc["network"]["weights"][0].pop(), "network.weights[0] has shape 15x784"),
    "ragged": (lambda doc: doc["network"]["weights"][1][0].pop(), "network.weights[1] is ragged"),
    "NaN": (lambda doc: _with_bias(doc, "NaN"), "not a number JSON allows"),
    "inf": (lambda doc: _with_bias(doc, "1e999"), "NaN or infinite"),
    "unknown version": (lambda doc: doc.update(version=99), "unknown version 99"),
    "not ours": (lambda doc: doc.update(format="something-else"), "format is 'something-else'"),
    "missing training": (lambda doc: doc["training"].pop("test_accuracy"), "training.test_accuracy"),
    "pixels out of range": (lambda doc: doc["examples"][0]["pixels"].__setitem__(3, 2.0), "pixels must lie in"),
    # Edited by hand, every number in range: only recomputing the network finds these.
    "outputs swapped": (lambda doc: _swap_outputs(doc["examples"][0]), "were not produced by its network"),
    "prediction changed": (lambda doc: doc["examples"][0].update(prediction=(doc["examples"][0]["prediction"] + 1) % 10),
                           "but the network's brightest output is"),
    "another digit's pixels": (lambda doc: _other_pixels(doc), "were not produced by its network"),
}


def _swap_outputs(example):
    outputs = example["a"][-1]
    first, second = example["prediction"], (example["prediction"] + 1) % 10
    outputs[first], outputs[second] = outputs[second], outputs[first]


def _other_pixels(doc):
    examples = doc["examples"]
    examples[0]["pixels"] = examples[0]["a"][0] = examples[1]["pixels"]


@pytest.mark.parametrize("kind", DAMAGE)
def test_damaged_export_is_refused(kind, tmp_path):
    mutate, message = DAMAGE[kind]
    path = _damaged(tmp_path, mutate)
    with pytest.raises(UserError, match=message.replace("[", r"\[").replace("(", r"\(")):
        read_export(path)


@pytest.mark.parametrize("kind", ["truncated", "NaN", "unknown version", "outputs swapped"])
def test_cli_refuses_damaged_export_and_leaves_it_alone(kind, tmp_path):
    path = _damaged(tmp_path, DAMAGE[kind][0])
    before = path.read_bytes()
    line = assert_clean_failure(run_cli("export", "--export", path))
    assert str(path) in line
    assert path.read_bytes() == before


def test_export_rebuilds_identically_from_checkpoint(tmp_path):
    """`render.py export` reproduces the committed file byte for byte."""
    out = tmp_path / "rebuilt.json"
    result = run_cli("export", "--export", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == paths.DEFAULT_EXPORT.read_bytes()
