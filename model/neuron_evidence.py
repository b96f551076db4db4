"""What the hidden neurons really do, measured on the real network and the real digits.

The chapter hopes that the first hidden layer finds little edges and the second loops
and lines, then admits the trained network does not seem to work that way. This module
computes the evidence, for the network in the export, every time it is exported, and
re-proves it on every read (`check`, called by `model/schema.py`'s reader):

- **what excites a neuron**: the test digits that activate it most (their MNIST ids and
  real activations), and so which labels they carry;
- **what a neuron wants to see**: the input that maximises it, by projected gradient
  ascent on the pixels (kept in [0, 1]) of  J(x) = z(x) - (λ/2)·|x|², z the neuron's
  weighted input, started from its most exciting digit; λ is REGULARISER times the
  largest slope of z at that start (so a first-layer neuron's answer is its positive
  weights, clipped: x = clip(w/λ, 0, 1)). The reader checks the answer is a local
  maximum: one gradient step moves no pixel by more than ASCENT_TOLERANCE;
- **which neurons the answer leans on**: the test accuracy with each neuron silenced
  (its activation held at its mean over the test digits), and the sloppy three's ten
  outputs without the one whose loss hurts most;
- **does layer 2 combine layer-1 parts?**: for each layer-2 neuron, how many of its
  OVERLAP_DIGITS most exciting test digits are also among those of its three strongest
  layer-1 inputs (largest w·spread, spread = the input's standard deviation over the
  test digits), against the same count for its three weakest inputs (smallest |w·spread|).

The probe set is MNIST's 10,000 test digits as shipped in `assets/mnist/` (read with
`model/mnist.idx_arrays`, no torch): the reader needs them for the knock-outs anyway,
and with them it proves the listed digits are the top ones, not just that their
activations are right. (Proving that over the 60,000 training digits would cost the
reader about 0.6 s a read; these digits also were never seen in training.)

Layers: the first EVIDENCE_LAYERS hidden layers (what the beats draw), each at most
LISTED_NEURONS neurons: all of a layer that narrow, else those that vary most over the
test digits (largest standard deviation, ties to the lower index).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import formula, mnist
from .activations import activation
from .errors import UserError
from .shapes import CLASSES, PIXELS
from .threads import one_thread

KEY = "neuron_evidence"          # its top-level key in the export
EVIDENCE_LAYERS = 2              # layer 1 (parts?) and layer 2 (combinations of parts?)
LISTED_NEURONS = 16              # per layer: a diagram's column (style.MAX_DRAWN_NEURONS)
TOP_DIGITS = 9                   # the grid of most exciting digits: 3x3
OVERLAP_DIGITS = 100             # the top digits compared between layers: 1% of the test set
COMBINED_INPUTS = 3              # strongest (and weakest) layer-1 inputs of a layer-2 neuron
REGULARISER = 0.1                # λ as a share of z's largest slope at the start
ASCENT_TOLERANCE = 1e-3          # a gradient step of length 1/λ moves no pixel further than this
ASCENT_STEPS = 5000              # cap on ascent iterations (converges in tens for the default net)
KINK_STEPS = 30                  # step lengths 1/λ·2^-k, k = 0..30, tried before a point is called a ridge
KINK_RISE = 1e-7                 # a rise of J smaller than this (relative) is rounding, not an ascent
TOLERANCE = 1e-5                 # recomputed activations and means: far above 8-digit rounding
STRICTLY_INCREASING = ("sigmoid", "tanh")  # output activations whose argmax is z's (below SATURATION)
STEEPEST = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}  # each activation's largest slope
SATURATION = 18.0                # |z| past which sigmoid and tanh round neighbours to one float64


# ---------------------------------------------------------------------------------------
# The computations, shared by the exporter and the reader: one definition of each.

def _slope(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f'(z) of a hidden activation, from z and a = f(z)."""
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return (z > 0).astype(np.float64)
    raise UserError(f"no slope known for activation {name!r}")


@lru_cache(maxsize=1)
def probe_digits() -> tuple[np.ndarray, np.ndarray]:
    """(pixels [N, 784] in [0, 1], labels [N]): MNIST's shipped test digits, made once a
    process (read-only: every read of every export shares them)."""
    images, labels = mnist.idx_arrays("test")
    pixels, labels = images.reshape(len(images), PIXELS) / 255.0, labels.astype(np.int64)
    pixels.flags.writeable = labels.flags.writeable = False
    return pixels, labels


def _forward(network, pixels):
    return formula.forward(network.weights, network.biases, network.hidden_activation,
                           network.output_activation, pixels)


def listed_neurons(activations: np.ndarray) -> list[int]:
    """The neurons a layer's evidence covers: all, or the LISTED_NEURONS that vary most."""
    width = activations.shape[1]
    if width <= LISTED_NEURONS:
        return list(range(width))
    spread = activations.std(axis=0)
    return sorted(int(n) for n in np.lexsort((np.arange(width), -spread))[:LISTED_NEURONS])


def top_digits(values: np.ndarray, count: int) -> np.ndarray:
    """For each column of values [N, k] (or one column [N]), the indices of its `count`
    largest values, largest first, ties to the lower index: [k, count] (or [count]).
    A partition finds each column's threshold; only the few above it are sorted."""
    matrix = values[:, None] if values.ndim == 1 else values
    count = min(count, len(matrix))
    thresholds = np.partition(matrix, len(matrix) - count, axis=0)[len(matrix) - count]
    rows = []
    for column, threshold in zip(matrix.T, thresholds):
        candidates = np.flatnonzero(column >= threshold)
        rows.append(candidates[np.lexsort((candidates, -column[candidates]))][:count])
    tops = np.array(rows, dtype=np.int64).reshape(matrix.shape[1], count)
    return tops[0] if values.ndim == 1 else tops


def silenced_outputs(network, activations: list[np.ndarray], layer: int, neuron: int, mean: float) -> np.ndarray:
    """The outputs with neuron `neuron` of `layer` held at `mean`: its change carried into
    the next layer's z as one column of W (a rank-one update), then the rest of the network."""
    hidden, output = activation(network.hidden_activation), activation(network.output_activation)
    change = mean - activations[layer][:, neuron]
    z = activations[layer] @ network.weights[layer].T + network.biases[layer]
    z = z + change[:, None] * network.weights[layer][:, neuron][None, :]
    last = len(network.weights) - 1
    for index in range(layer, last + 1):
        if index > layer:
            z = a @ network.weights[index].T + network.biases[index]
        a = (output if index == last else hidden)(z)
    return a


def answers_of(output, z: np.ndarray) -> np.ndarray:
    """The brightest output per row, from the output layer's z, without computing the
    activation for every row: a strictly increasing activation keeps the order, so the
    answer is argmax z, except where float64 could round the top outputs to one value
    (z past SATURATION: a sigmoid is 1.0 above 36.7), where the activations decide, the
    first of equals winning as argmax of the activations says. (Two top z closer than
    about 1e-14 below SATURATION could still round to one activation: never in practice.)
    Other activations (ReLU, flat at 0) are applied to every row."""
    if output.name not in STRICTLY_INCREASING:
        return output(z).argmax(axis=1)
    answers = z.argmax(axis=1)
    saturated = np.flatnonzero(z.max(axis=1) > SATURATION)
    if len(saturated):
        answers[saturated] = output(z[saturated]).argmax(axis=1)
    return answers


def knockout_correct(network, activations: list[np.ndarray], zs: list[np.ndarray], layer: int,
                     neurons: list[int], means: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """How many digits each neuron's silencing leaves right. Exactly, but only the digits
    whose answer could change are run again: silencing moves the next layer's z by
    |change|·|w| at most, each later layer passes that on at most times its activation's
    steepest slope and |W|, so no output moves by more than a bound per digit; a digit
    whose top output leads the second by more than twice that keeps its answer. The rest
    (a few per cent) go through the network again, the silenced neuron's change added to
    the next layer's z as one column of W (a rank-one update)."""
    hidden, output = activation(network.hidden_activation), activation(network.output_activation)
    last = len(network.weights) - 1
    intact = answers_of(output, zs[-1])
    intact_right = intact == labels
    top_two = np.partition(zs[-1], -2, axis=1)[:, -2:] if zs[-1].shape[1] > 1 else None
    # A softmax keeps z's order too, and never saturates: it is computed from z - max z,
    # so the top output is e^0 = 1 and the next e^-margin, below 1 for any margin here.
    safe = (output.name in STRICTLY_INCREASING or output.name == "softmax") and top_two is not None
    margin = top_two[:, 1] - top_two[:, 0] if safe else None
    unsaturated = (zs[-1].max(axis=1) <= SATURATION if output.name != "softmax" else np.ones(len(labels), bool)) \
        if safe else None
    correct = []
    for neuron, mean in zip(neurons, means):
        change = mean - activations[layer][:, neuron]  # [N]
        if safe:  # how far any output can move, per unit of change
            reach = np.abs(network.weights[layer][:, neuron])
            for index in range(layer + 1, last + 1):
                reach = np.abs(network.weights[index]) @ (STEEPEST[hidden.name] * reach)
            # rounding allowance: the bound is computed in float64 too
            settled = unsaturated & (margin > 2 * np.abs(change) * reach.max() * (1 + 1e-9) + 1e-12)
            rows = np.flatnonzero(~settled)
        else:
            rows = np.arange(len(labels))
        z = zs[layer][rows] + change[rows, None] * network.weights[layer][:, neuron][None, :]
        for index in range(layer, last + 1):
            if index > layer:
                z = a @ network.weights[index].T + network.biases[index]
            if index < last:
                a = hidden(z)
        right = int(intact_right.sum()) - int(intact_right[rows].sum()) + int((answers_of(output, z) == labels[rows]).sum())
        correct.append(right)
    return np.array(correct, dtype=np.int64)


def ascent_gradient(network, layer: int, neurons: list[int], x: np.ndarray, weights: np.ndarray):
    """(z, ∇J) for each row of x [k, 784]: row i climbs neuron neurons[i] of `layer`,
    J = z - (weights[i]/2)|x|², by backpropagation through the layers before it."""
    activations, zs = [x], []
    for index in range(layer):
        z = activations[-1] @ network.weights[index].T + network.biases[index]
        zs.append(z)
        activations.append(activation(network.hidden_activation)(z))
    rows = np.arange(len(neurons))
    value = zs[-1][rows, neurons]
    upstream = network.weights[layer - 1][neurons]  # dz/da of the layer below
    for index in range(layer - 2, -1, -1):
        upstream = (upstream * _slope(network.hidden_activation, zs[index], activations[index + 1])) @ network.weights[index]
    return value, upstream - weights[:, None] * x


def objective(network, layer: int, neurons: list[int], x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """J = z - (λ/2)|x|² for each row of x: what the ascent climbs. The forward pass of
    `ascent_gradient`, the same products in the same order (so the same z to the bit),
    without its backward pass: the line search asks for J some 35 times a step."""
    a = x
    for index in range(layer):
        z = a @ network.weights[index].T + network.biases[index]
        if index < layer - 1:
            a = activation(network.hidden_activation)(z)
    return z[np.arange(len(neurons)), neurons] - weights / 2 * (x ** 2).sum(axis=1)


STEP_LENGTHS = 2.0 ** -np.arange(-2, KINK_STEPS + 1)  # times 1/λ: the line search's ladder


def _best_step(network, layer, neurons, x, weights, gradient):
    """(the best point of the ladder of steps along the gradient, whether it rises above
    J(x) by more than rounding), per row."""
    here = objective(network, layer, neurons, x, weights)
    best, best_value = x, here + KINK_RISE * np.maximum(1.0, np.abs(here))
    # every rung at once: one pass of 33·k rows costs far less than 33 passes of k
    ladder = np.stack([np.clip(x + (length / weights)[:, None] * gradient, 0, 1) for length in STEP_LENGTHS])
    values = objective(network, layer, list(neurons) * len(STEP_LENGTHS), ladder.reshape(-1, x.shape[1]),
                       np.tile(weights, len(STEP_LENGTHS))).reshape(len(STEP_LENGTHS), -1)
    for candidate, value in zip(ladder, values):
        better = value > best_value
        best, best_value = np.where(better[:, None], candidate, best), np.where(better, value, best_value)
    return best, ~np.all(best == x, axis=1)


@one_thread()  # a few rows through the network, thousands of times: model/threads.py
def not_maximal(network, layer: int, neurons: list[int], x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """How far from a local maximum in the box each row of x is, in pixel values: how far
    one projected gradient step of length 1/λ moves its furthest pixel (0 exactly at a
    smooth maximum), or 0 when no step along the gradient, of length 4/λ down to
    1/λ·2^-KINK_STEPS, raises J at all (beyond rounding): the ridge of a ReLU's kink,
    where the one-sided gradient promises an ascent that is not there."""
    _, gradient = ascent_gradient(network, layer, neurons, x, weights)
    moved = np.abs(np.clip(x + gradient / weights[:, None], 0, 1) - x).max(axis=1)
    _, rises = _best_step(network, layer, neurons, x, weights, gradient)
    return np.where(rises, moved, 0.0)


def regulariser_weights(network, layer: int, neurons: list[int], start: np.ndarray) -> np.ndarray:
    """λ per neuron: REGULARISER times the largest slope of its z over the pixels at `start`."""
    _, gradient = ascent_gradient(network, layer, neurons, start, np.zeros(len(neurons)))
    slope = np.abs(gradient).max(axis=1)
    return REGULARISER * np.where(slope > 0, slope, 1.0)


@one_thread()
def maximise(network, layer: int, neurons: list[int], start: np.ndarray, weights: np.ndarray, rounded) -> np.ndarray:
    """Projected gradient ascent with a line search over STEP_LENGTHS, every listed neuron
    of the layer at once, each point rounded as the file will hold it (so the reader's check
    sees the very point the ascent stopped at). A row stops at a smooth maximum, or where
    no step along the gradient rises (a kink's ridge)."""
    x = rounded(start)
    for _ in range(ASCENT_STEPS):
        _, gradient = ascent_gradient(network, layer, neurons, x, weights)
        moving = np.abs(np.clip(x + gradient / weights[:, None], 0, 1) - x).max(axis=1) > ASCENT_TOLERANCE / 4
        best, rises = _best_step(network, layer, neurons, x, weights, gradient)
        moving &= rises
        if not moving.any():
            return x
        x = np.where(moving[:, None], rounded(best), x)
    raise RuntimeError(f"gradient ascent for layer {layer} did not settle in {ASCENT_STEPS} steps")


def combination(network, zs: list[np.ndarray], activations: list[np.ndarray], neurons2: list[int]) -> dict:
    """For each listed layer-2 neuron: its strongest and weakest layer-1 inputs and how many
    of its OVERLAP_DIGITS top test digits are among theirs (see the module docstring)."""
    width1 = activations[1].shape[1]
    inputs = min(COMBINED_INPUTS, width1 // 2)
    strength = network.weights[1][neurons2] * activations[1].std(axis=0)[None, :]  # [k, width1]
    order = np.arange(width1)
    strongest = [np.lexsort((order, -row))[:inputs].tolist() for row in strength]
    weakest = [np.lexsort((order, np.abs(row)))[:inputs].tolist() for row in strength]
    needed = sorted({j for chosen in strongest + weakest for j in chosen})
    tops1 = dict(zip(needed, top_digits(zs[0][:, needed], OVERLAP_DIGITS)))
    tops2 = top_digits(zs[1][:, neurons2], OVERLAP_DIGITS)
    result = {"strongest": strongest, "weakest": weakest, "strongest_overlap": [], "weakest_overlap": []}
    for row, own in enumerate(tops2):
        for kind in ("strongest", "weakest"):
            theirs = np.concatenate([tops1[j] for j in result[kind][row]]) if inputs else np.array([], int)
            result[f"{kind}_overlap"].append(int(np.isin(own, theirs).sum()))
    return result


# ---------------------------------------------------------------------------------------
# The exporter's side.

def compute(network, example_id: str, example_pixels: np.ndarray, rounded) -> dict:
    """The export's `neuron_evidence` section for `network` (schema.Network-like: weights,
    biases as float64 arrays), the knock-out shown on example `example_id`; `rounded`
    rounds an array as the file holds it (schema.round_floats)."""
    pixels, labels = probe_digits()
    zs, activations = _forward(network, pixels)
    _, example_activations = _forward(network, example_pixels[None, :])
    layers, worst = [], None
    for layer in range(1, min(EVIDENCE_LAYERS, len(network.sizes) - 2) + 1):
        neurons = listed_neurons(activations[layer])
        means = rounded(activations[layer][:, neurons].mean(axis=0))  # as the file holds them: the reader's
        correct = knockout_correct(network, activations, zs, layer, neurons, means, labels).tolist()
        tops = top_digits(zs[layer - 1][:, neurons], TOP_DIGITS)  # by z: a saturated sigmoid ties at 1.0
        start = pixels[[top[0] for top in tops]]
        weights = regulariser_weights(network, layer, neurons, start)
        best = maximise(network, layer, neurons, start, weights, rounded)
        _, best_activations = _forward(network, best)
        for n, m, c in zip(neurons, means, correct):
            if worst is None or c < worst[2]:
                worst = (layer, n, c, m)
        layers.append({
            "layer": layer,
            "neurons": neurons,
            "mean_activation": means.tolist(),
            "knockout_correct": correct,
            "top_digits": [top.tolist() for top in tops],
            "top_activations": [rounded(activations[layer][top, n]).tolist() for top, n in zip(tops, neurons)],
            "regulariser_weights": rounded(weights).tolist(),
            "maximising_inputs": best.tolist(),
            "maximising_activations": rounded(best_activations[layer][np.arange(len(neurons)), neurons]).tolist(),
        })
    layer, neuron, _, mean = worst
    silenced = silenced_outputs(network, example_activations, layer, neuron, float(mean))[0]
    combined = None
    if len(layers) > 1:
        combined = combination(network, zs, activations, layers[1]["neurons"])
    return {
        "probe": "mnist-test",
        "digits": len(labels),
        "intact_correct": int((activations[-1].argmax(1) == labels).sum()),
        "layers": layers,
        "knockout_example": {"id": example_id, "layer": layer, "neuron": neuron,
                             "outputs": rounded(silenced).tolist()},
        "combination": combined,
    }


# ---------------------------------------------------------------------------------------
# The reader's side: typed, and re-proved.

@dataclass(frozen=True)
class LayerEvidence:
    layer: int                       # hidden layer number, 1 = first
    neurons: list[int]
    mean_activation: np.ndarray      # over the test digits: the value a silenced neuron is held at
    knockout_correct: np.ndarray     # test digits right with that neuron silenced
    top_digits: np.ndarray           # [neuron, TOP_DIGITS] MNIST test indices, most exciting first
    top_activations: np.ndarray      # their activations
    top_labels: np.ndarray           # their labels (from MNIST)
    top_pixels: np.ndarray           # [neuron, TOP_DIGITS, 784] their pixels (from MNIST)
    regulariser_weights: np.ndarray  # λ per neuron
    maximising_inputs: np.ndarray    # [neuron, 784] in [0, 1]
    maximising_activations: np.ndarray

    def row(self, neuron: int) -> int:
        return self.neurons.index(neuron)

    def purity(self, neuron: int) -> tuple[int, int]:
        """(the most common label among its top digits, how many of them carry it);
        ties to the smaller digit."""
        counts = np.bincount(self.top_labels[self.row(neuron)], minlength=CLASSES)
        return int(np.argmax(counts)), int(counts.max())


@dataclass(frozen=True)
class Combination:
    neurons: list[int]               # the listed layer-2 neurons
    strongest: list[list[int]]       # their strongest layer-1 inputs
    weakest: list[list[int]]
    strongest_overlap: np.ndarray    # of OVERLAP_DIGITS top digits, how many shared with the strongest inputs'
    weakest_overlap: np.ndarray


@dataclass(frozen=True)
class NeuronEvidence:
    digits: int                      # test digits probed
    intact_correct: int
    layers: list[LayerEvidence]
    example_id: str                  # the digit the knock-out is shown on
    knocked_layer: int               # the neuron whose silencing costs most
    knocked_neuron: int
    knocked_outputs: np.ndarray      # the example's ten outputs without it
    combination: Combination | None  # None for a one-layer network


def _expect(condition, message: str) -> None:
    if not condition:
        raise UserError(f"{KEY}: {message}")


def _ints(value, shape, what: str) -> np.ndarray:
    _expect(isinstance(value, list), f"{what} is not a list")
    array = np.asarray(value, dtype=object)
    _expect(array.shape == shape and all(type(v) is int for v in array.flat), f"{what} is not {shape} integers")
    return array.astype(np.int64)


def _floats(value, shape, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise UserError(f"{KEY}: {what} is ragged or holds non-numbers") from None
    _expect(array.shape == shape and np.isfinite(array).all(), f"{what} is not {shape} finite numbers")
    return array


def _close(ours, theirs, what: str) -> None:
    error = np.abs(np.asarray(ours, dtype=np.float64) - theirs)
    if error.size and error.max() > TOLERANCE * max(1.0, float(np.abs(ours).max())):
        raise UserError(f"{KEY}: {what} differ from what the network gives on the MNIST test digits "
                        f"(by up to {error.max():.3g}); the file's numbers were not produced by its network")


def check(section, network, examples) -> NeuronEvidence | None:
    """Re-prove a `neuron_evidence` section against the network and the shipped MNIST test
    digits; None when the export has none (an older export, or a training snapshot)."""
    if section is None:
        return None
    _expect(isinstance(section, dict), "is not an object")
    pixels, labels = probe_digits()
    _expect(section.get("probe") == "mnist-test" and section.get("digits") == len(labels),
            f"probe is not the {len(labels):,} MNIST test digits")
    zs, activations = _forward(network, pixels)
    intact = int((activations[-1].argmax(1) == labels).sum())
    _expect(section.get("intact_correct") == intact,
            f"intact_correct is {section.get('intact_correct')!r}, the network gets {intact} right")
    depth = min(EVIDENCE_LAYERS, len(network.sizes) - 2)
    entries = section.get("layers")
    _expect(isinstance(entries, list) and len(entries) == depth, f"layers must hold the first {depth} hidden layers")
    layers = []
    for layer, entry in enumerate(entries, start=1):
        layers.append(_check_layer(entry, layer, network, zs, activations, pixels, labels))
    knocked = section.get("knockout_example")
    _expect(isinstance(knocked, dict), "knockout_example is not an object")
    worst = min(((c, l.layer, l.neurons.index(n)) for l in layers for n, c in zip(l.neurons, l.knockout_correct)))
    worst_layer = layers[worst[1] - 1]
    neuron = worst_layer.neurons[worst[2]]
    _expect(knocked.get("layer") == worst[1] and knocked.get("neuron") == neuron,
            f"knockout_example is not the neuron whose silencing costs most (layer {worst[1]}, neuron {neuron})")
    example = next((e for e in examples if e.id == knocked.get("id")), None)
    _expect(example is not None, f"knockout_example.id {knocked.get('id')!r} is not an example of the export")
    outputs = _floats(knocked.get("outputs"), (CLASSES,), "knockout_example.outputs")
    _, example_activations = _forward(network, example.pixels[None, :])
    _close(silenced_outputs(network, example_activations, worst[1], neuron,
                            float(worst_layer.mean_activation[worst[2]]))[0], outputs, "knockout_example.outputs")
    combined = None
    if depth > 1:
        combined = _check_combination(section.get("combination"), network, zs, activations, layers[1].neurons)
    else:
        _expect(section.get("combination") is None, "combination must be null for a one-layer network")
    return NeuronEvidence(len(labels), intact, layers, example.id, worst[1], neuron, outputs, combined)


def _check_layer(entry, layer: int, network, zs, activations, pixels, labels) -> LayerEvidence:
    where = f"layers[{layer - 1}]"
    _expect(isinstance(entry, dict) and entry.get("layer") == layer, f"{where}.layer is not {layer}")
    neurons = listed_neurons(activations[layer])
    _expect(entry.get("neurons") == neurons, f"{where}.neurons are not the layer's listed neurons {neurons}")
    k = len(neurons)
    means = _floats(entry.get("mean_activation"), (k,), f"{where}.mean_activation")
    _close(activations[layer][:, neurons].mean(axis=0), means, f"{where}.mean_activation")
    correct = _ints(entry.get("knockout_correct"), (k,), f"{where}.knockout_correct")
    recomputed = knockout_correct(network, activations, zs, layer, neurons, means, labels)
    for row, neuron in enumerate(neurons):
        _expect(correct[row] == recomputed[row], f"{where}.knockout_correct[{row}] is {correct[row]}, but silencing "
                                                 f"neuron {neuron} leaves {recomputed[row]} test digits right")
    tops = _ints(entry.get("top_digits"), (k, TOP_DIGITS), f"{where}.top_digits")
    real = top_digits(zs[layer - 1][:, neurons], TOP_DIGITS)
    for row, neuron in enumerate(neurons):
        _expect(np.array_equal(real[row], tops[row]), f"{where}.top_digits[{row}] are not neuron {neuron}'s most "
                                                      f"exciting test digits (those are {real[row].tolist()})")
    top_values = _floats(entry.get("top_activations"), (k, TOP_DIGITS), f"{where}.top_activations")
    _close(activations[layer][tops, np.array(neurons)[:, None]], top_values, f"{where}.top_activations")
    weights = _floats(entry.get("regulariser_weights"), (k,), f"{where}.regulariser_weights")
    _close(regulariser_weights(network, layer, neurons, pixels[tops[:, 0]]), weights, f"{where}.regulariser_weights")
    best = _floats(entry.get("maximising_inputs"), (k, PIXELS), f"{where}.maximising_inputs")
    _expect(best.min() >= 0 and best.max() <= 1, f"{where}.maximising_inputs leave the box [0, 1]")
    moves = not_maximal(network, layer, neurons, best, weights)
    _expect(moves.max() <= ASCENT_TOLERANCE,
            f"{where}.maximising_inputs[{int(np.argmax(moves))}] is not a local maximum: a gradient step "
            f"moves a pixel by {moves.max():.3g} (> {ASCENT_TOLERANCE})")
    best_values = _floats(entry.get("maximising_activations"), (k,), f"{where}.maximising_activations")
    _, at_best = _forward(network, best)
    _close(at_best[layer][np.arange(k), neurons], best_values, f"{where}.maximising_activations")
    images = pixels[tops]
    return LayerEvidence(layer, neurons, means, correct, tops, top_values, labels[tops], images, weights, best, best_values)


def _check_combination(section, network, zs, activations, neurons2) -> Combination:
    _expect(isinstance(section, dict), "combination is not an object")
    ours = combination(network, zs, activations, neurons2)
    for key, value in ours.items():
        _expect(section.get(key) == value, f"combination.{key} is {section.get(key)!r}, the network gives {value!r}")
    return Combination(neurons2, ours["strongest"], ours["weakest"],
                       np.array(ours["strongest_overlap"]), np.array(ours["weakest_overlap"]))
