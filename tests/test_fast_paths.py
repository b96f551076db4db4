"""The shortcuts that make importing a wide network fast compute exactly what the long
way does: the vectorised rounding, the ascent's objective without its backward pass,
the knock-outs of a softmax network run again only where the answer could change."""
from __future__ import annotations

import numpy as np

from nn_explainer.model import neuron_evidence
from nn_explainer.model.activations import activation
from nn_explainer.model.schema import Network, round_float, round_floats, read_export
from nn_explainer.model import paths


def test_round_floats_is_round_float_to_the_bit():
    rng = np.random.default_rng(0)
    ties = [float(f"{rng.integers(10**8, 10**9)}5e-{rng.integers(1, 20)}") for _ in range(20000)]
    values = np.concatenate([rng.standard_normal(200000) * 10.0 ** rng.integers(-30, 30, 200000),
                             rng.standard_normal(100000) * 0.05, ties,
                             [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1e-320, 1.0, 1e7, 1e8, 12345678.5,
                              0.123456785, 99999999.5, 1e22, 1e23, 1e-22, 1e-23, 9.9999999999e-1]])
    slow = np.array([round_float(float(v)) for v in values])
    fast = round_floats(values)
    same = ((slow == fast) | (np.isnan(slow) & np.isnan(fast))) & (np.signbit(slow) == np.signbit(fast))
    assert same.all(), values[~same][:5]
    assert round_floats(np.float64(0.1234567891)).shape == () and float(round_floats(0.1234567891)) == 0.12345679


def network(sizes, hidden, output, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((o, i)) * 2 / np.sqrt(i) for i, o in zip(sizes, sizes[1:])]
    biases = [rng.standard_normal(o) * 0.1 for o in sizes[1:]]
    return Network(sizes=sizes, hidden_activation=hidden, output_activation=output, weights=weights, biases=biases)


def test_the_objective_is_the_ascents_to_the_bit():
    for net in (read_export(paths.DEFAULT_EXPORT).network, network([784, 64, 32, 10], "relu", "softmax")):
        x = np.random.default_rng(1).random((8, 784))
        weights = np.full(8, 0.3)
        for layer in (1, 2):
            neurons = list(range(8))
            long_way = neuron_evidence.ascent_gradient(net, layer, neurons, x, weights)[0] - weights / 2 * (x ** 2).sum(1)
            assert np.array_equal(neuron_evidence.objective(net, layer, neurons, x, weights), long_way)


def test_softmax_knockouts_count_what_running_every_digit_counts():
    net = network([784, 48, 24, 10], "relu", "softmax", seed=3)
    pixels, labels = neuron_evidence.probe_digits()
    pixels, labels = pixels[:3000], labels[:3000]
    zs, activations = neuron_evidence._forward(net, pixels)
    neurons = list(range(12))
    for layer in (1, 2):
        means = activations[layer][:, neurons].mean(axis=0)
        counted = neuron_evidence.knockout_correct(net, activations, zs, layer, neurons, means, labels)
        hidden, output = activation("relu"), activation("softmax")
        for neuron, mean, count in zip(neurons, means, counted):
            a = activations[layer].copy()
            a[:, neuron] = mean
            for index in range(layer, len(net.weights)):
                z = a @ net.weights[index].T + net.biases[index]
                a = output(z) if index == len(net.weights) - 1 else hidden(z)
            assert count == int((a.argmax(1) == labels).sum())


def test_the_ladder_in_one_pass_picks_the_step_rung_by_rung_picks():
    net = network([784, 128, 64, 10], "relu", "softmax", seed=5)
    pixels, _ = neuron_evidence.probe_digits()
    x, neurons = pixels[200:208], list(range(8))
    weights = neuron_evidence.regulariser_weights(net, 2, neurons, x)
    _, gradient = neuron_evidence.ascent_gradient(net, 2, neurons, x, weights)
    here = neuron_evidence.objective(net, 2, neurons, x, weights)
    best, best_value = x, here + neuron_evidence.KINK_RISE * np.maximum(1.0, np.abs(here))
    for length in neuron_evidence.STEP_LENGTHS:   # the ladder climbed one rung at a time
        candidate = np.clip(x + (length / weights)[:, None] * gradient, 0, 1)
        value = neuron_evidence.objective(net, 2, neurons, candidate, weights)
        better = value > best_value
        best, best_value = np.where(better[:, None], candidate, best), np.where(better, value, best_value)
    stepped, rises = neuron_evidence._best_step(net, 2, neurons, x, weights, gradient)
    assert np.array_equal(stepped, best) and rises.any()
