"""Chapter two's numbers: the gradients section is autograd's, re-proved on every read.

Finite differences check the gradient itself (not our chain rule against our chain
rule), torch autograd checks numpy's backward pass for every activation, and an export
whose gradients were edited is refused.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from nn_explainer.model import backprop, formula, paths
from nn_explainer.model.errors import UserError
from nn_explainer.model.schema import parse, read_export

EXPORT = paths.DEFAULT_EXPORT


@pytest.fixture(scope="module")
def committed():
    return read_export(EXPORT)


@pytest.fixture(scope="module")
def document():
    return json.loads(EXPORT.read_text())


def digit_cost(network, weights, biases, example) -> float:
    zs, _ = formula.forward(weights, biases, network.hidden_activation, network.output_activation, example.pixels)
    return backprop.costs(zs[-1], [example.label])


def test_finite_differences_agree_with_the_exported_gradient(committed):
    """(C(w + h) - C(w - h)) / 2h for the largest components and a few others, against
    the file's dC/dz a_prev^T (what the beats draw)."""
    network, grads = committed.network, committed.gradients
    example = committed.example(grads.digit_id)
    h = 1e-6
    picks = [(entry["layer"], entry["row"], entry["column"]) for entry in grads.digit_largest[:3]]
    picks += [(len(network.weights) - 1, example.label, 0), (1, 2, 5), (0, 4, 300)]
    for layer, row, column in picks:
        exported = grads.digit.dz[layer][0][row] * (1.0 if column is None else grads.digit.activations[layer][0][column])
        shifted = []
        for sign in (1, -1):
            weights = [w.copy() for w in network.weights]
            biases = [b.copy() for b in network.biases]
            if column is None:
                biases[layer][row] += sign * h
            else:
                weights[layer][row, column] += sign * h
            shifted.append(digit_cost(network, weights, biases, example))
        numeric = (shifted[0] - shifted[1]) / (2 * h)
        assert numeric == pytest.approx(exported, rel=1e-4, abs=1e-9), (layer, row, column)


@pytest.mark.parametrize("hidden", ["sigmoid", "relu", "tanh"])
def test_numpy_backward_equals_torch_autograd(hidden):
    """Every activation's derivative, through three hidden layers of other widths."""
    from nn_explainer.model import gradients

    rng = np.random.default_rng(4)
    sizes = [784, 5, 7, 3, 10]
    network = {"sizes": sizes, "hidden_activation": hidden, "output_activation": "sigmoid",
               "weights": [rng.normal(0, 0.3, (o, i)) for i, o in zip(sizes, sizes[1:])],
               "biases": [rng.normal(0, 0.3, o) for o in sizes[1:]]}
    pixels, labels = rng.random((4, 784)), np.array([3, 0, 9, 3])
    theirs = gradients.autograd_backward(network, pixels, labels)
    ours = backprop.backward(network["weights"], network["biases"], hidden, "sigmoid", pixels, labels)
    assert np.allclose(theirs["costs"], ours.costs, rtol=1e-12)
    for mine, torch_values in zip(ours.dz + ours.da, theirs["dz"] + theirs["da"]):
        assert np.allclose(mine, torch_values, rtol=1e-10, atol=1e-14)
    assert np.allclose(ours.flat(), theirs["flat"], rtol=1e-10, atol=1e-14)


def tampered(document, change) -> dict:
    doc = json.loads(json.dumps(document))
    change(doc["gradients"])
    return doc


@pytest.mark.parametrize("where, change", [
    ("digit.dz[1]", lambda g: g["digit"]["dz"][1].__setitem__(3, g["digit"]["dz"][1][3] * 1.01 + 1e-9)),
    ("digit.cost", lambda g: g["digit"].__setitem__("cost", g["digit"]["cost"] * 0.9)),
    ("batch.cost_after_step", lambda g: g["batch"].__setitem__("cost_after_step", g["batch"]["cost_after_step"] * 0.5)),
    ("batch.labels", lambda g: g["batch"]["labels"].__setitem__(0, (g["batch"]["labels"][0] + 1) % 10)),
    ("surface.cost", lambda g: g["surface"]["cost"][2].__setitem__(2, g["surface"]["cost"][2][2] - 0.01)),
    ("digit.largest[0]", lambda g: g["digit"]["largest"][0].__setitem__("row", g["digit"]["largest"][0]["row"] + 1)),
])
def test_tampered_gradients_are_refused(document, where, change):
    with pytest.raises(UserError, match="gradients"):
        parse(tampered(document, change))


def test_the_untouched_document_reads(document, committed):
    assert parse(document).gradients.digit.costs[0] == committed.gradients.digit.costs[0]
