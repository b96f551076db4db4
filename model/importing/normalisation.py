"""How a network's inputs were normalised: measured on MNIST, never assumed.

A network trained elsewhere read its pixels through whatever its DataLoader did to them,
usually `transforms.Normalize((0.1307,), (0.3081,))`, and that transform is in neither
its state_dict nor, most often, its forward() or ONNX graph. Drawn on the wrong inputs,
every activation of every beat is wrong, and so may be the answer. So every way in
(model/importing/from_file.py, model/importing/read_module.py) runs the network on MNIST's 10,000 shipped
test digits under each reading of its inputs (READINGS): the pixels as given (0..1),
MNIST's mean and std, (0.5, 0.5), and the model's own normalisation once more if it has
one (a DataLoader that normalised as well). Then:
- nothing said (`stated` None): the pixels as given, unless another reading scores
  CLEARLY_BETTER (10 points) more: that is refused in one line, with both accuracies
  and how to say it (`--normalize M,S`, or `0,1` to keep the pixels as given after all);
  one that scores NOTICEABLY_BETTER (a point) more is named in the record's `why`, with
  how to say it (an underfit network trained on normalised inputs can lose less than ten);
- a normalisation said: it is used, before the model's own if it has one (the two
  compose into one (x - m) / s, folded into the first layer); said twice over, the
  same as the model's own, it is refused: it would be applied twice.
What was used, why, and each reading's accuracy go into the export's `source`
(`normalisation`, docs/export-format.md).

Cost: the first layer's product with the pixels is made once, in float32, for every
reading ((x - m)/s · W = (x · W - m ΣW) / s); each reading then runs the layers after
it. The accuracies compare readings; the export's own `test_accuracy` is measured
again, in float64, on the network it holds.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import UserError
from .layer_list import Imported, Normalize, Passive, to_network

MNIST = (0.1307, 0.3081)   # transforms.Normalize((0.1307,), (0.3081,)): MNIST's mean and std
HALF = (0.5, 0.5)          # transforms.Normalize((0.5,), (0.5,)): pixels to -1..1
READINGS = (None, MNIST, HALF)  # None: the pixels as given, 0..1
AS_GIVEN = (0.0, 1.0)      # what the user says to keep the pixels as given
CLEARLY_BETTER = 0.10      # a reading this much more accurate is not a matter of taste
NOTICEABLY_BETTER = 0.01   # a reading this much more accurate is named, with how to say it
TEST_DIGITS = 10_000       # MNIST's test set, every reading of an MLP measured on all of it
CONV_PROBE = 2_000          # a CNN's readings compared on this many test digits: ten points is far
                           # beyond their noise (about one point), at a fifth of the cost


@dataclass(frozen=True)
class Settled:
    """The network folded with the inputs it read, and the export's record of why."""
    imported: Imported
    inputs: tuple | None     # the normalisation before the model (a DataLoader's), or None
    record: dict             # the `source.normalisation` section


def settle(steps: list, outputs: str | None, stated, source: str, say) -> Settled:
    """Fold `steps` (a reader's layer list, with the model's own normalisation if it has
    one) into the network that reads MNIST's pixels as its trainer fed them: as
    `stated` ((mean, std); AS_GIVEN: the pixels as given), else as measured. `say(m, s)`
    is how the user states a normalisation where they are (`--normalize m,s`)."""
    fold = _fold(steps)
    as_read = fold(steps, outputs, source)   # every other refusal first: measuring costs time
    own = _own(steps)
    readings = list(READINGS)
    if own is not None and not any(_same(own, r) for r in readings if r is not None):
        readings.append(own)
    if stated is not None and not _same(stated, AS_GIVEN) and not any(_same(stated, r) for r in readings if r):
        readings.append(tuple(stated))
    accuracies = measure(as_read, readings)  # no progress line: under a second, and a refusal is one line
    digits = digits_measured(as_read)
    given = accuracies[0]
    if stated is None:
        best = max(range(len(readings)), key=lambda i: (accuracies[i], -i))
        if accuracies[best] >= given + CLEARLY_BETTER:
            m, s = readings[best]
            raise UserError(f"{source}: {_percent(given)} of {_digits(digits)} read right {describe(None, own)}, "
                            f"but {_percent(accuracies[best])} {describe(readings[best], own)}: its inputs were "
                            f"normalised; say so with {say(m, s)} (or {say(*AS_GIVEN)} to draw it on the pixels "
                            "as given all the same)")
        inputs, why = None, (f"nothing said, and no reading of the inputs scored {round(100 * CLEARLY_BETTER)} "
                             "points more than the pixels as given")
        if accuracies[best] >= given + NOTICEABLY_BETTER:   # not refused, but worth a second look
            m, s = readings[best]
            why += (f"; read as (x - {m:g}) / {s:g}, it scored {100 * (accuracies[best] - given):.1f} points more: "
                    f"if it was trained on such inputs, say so with {say(m, s)}")
    else:
        stated = (float(stated[0]), float(stated[1]))
        if own is not None and _same(stated, own):
            twice = accuracies[next(i for i, r in enumerate(readings) if r is not None and _same(r, own))]
            raise UserError(f"{source}: the model normalises its input itself, (x - {own[0]:g}) / {own[1]:g}: "
                            f"{say(*stated)} would do it twice ({_percent(given)} of MNIST's test digits right "
                            f"with it once, {_percent(twice)} twice); leave it out")
        inputs = None if _same(stated, AS_GIVEN) else stated
        why = f"said: {say(*stated)}"
    used = next(i for i, r in enumerate(readings) if (r is None and inputs is None)
                or (r is not None and inputs is not None and _same(r, inputs)))
    imported = as_read if inputs is None else fold(compose(steps, inputs), outputs, source)
    if inputs is not None and own is not None:
        imported = replace(imported, notes=[f"the inputs normalised as (x - {inputs[0]:g}) / {inputs[1]:g} before the "
                                            f"model's own (x - {own[0]:g}) / {own[1]:g}: the two compose into one",
                                            *imported.notes])
    readings[used] = inputs   # as said, where it matched a usual reading to 1e-6
    record = {"inputs": list(inputs) if inputs else None, "model": list(own) if own else None, "why": why,
              "measured": [{"inputs": list(r) if r else None, "test_accuracy": round(float(a), 4)}
                           for r, a in zip(readings, accuracies)],
              "used": used, "digits": digits}
    return Settled(imported, inputs, record)


def digits_measured(network) -> int:
    """How many of MNIST's test digits `measure` runs this network on."""
    from ..neuron_evidence import probe_digits

    shipped = len(probe_digits()[1])
    return shipped if isinstance(network, Imported) else min(CONV_PROBE, shipped)


def _digits(count: int) -> str:
    return f"MNIST's {count:,} test digits" if count == TEST_DIGITS else f"the first {count:,} of MNIST's test digits"


def _fold(steps: list):
    """The fold for this layer list: a CNN's (model/importing/conv_import.py) or the MLP's."""
    from . import conv_import

    return conv_import.to_conv_network if conv_import.is_convolutional(steps) else to_network


def measure(network, readings: list) -> list[float]:
    """The share of MNIST's 10,000 test digits `network` gets right under each reading
    of its inputs (None: the pixels as given; (m, s): (x - m) / s), in float32; a CNN's
    on the first CONV_PROBE of them (torch), as a convolution costs far more a digit."""
    from ..activations import activation
    from ..neuron_evidence import probe_digits

    pixels, labels = probe_digits()
    if not isinstance(network, Imported):
        return _measure_conv(network, readings, pixels[:CONV_PROBE], labels[:CONV_PROBE])
    weights = [np.asarray(w, dtype=np.float32) for w in network.weights]
    biases = [np.asarray(b, dtype=np.float32) for b in network.biases]
    hidden = activation(network.hidden_activation)
    first = pixels.astype(np.float32) @ weights[0].T          # once for every reading
    row_sums = weights[0].sum(axis=1)
    accuracies = []
    for reading in readings:
        m, s = reading if reading is not None else AS_GIVEN
        z = (first - np.float32(m) * row_sums) / np.float32(s) + biases[0]
        for w, b in zip(weights[1:], biases[1:]):
            z = hidden(z) @ w.T + b
        # every output activation keeps the order of z: the answer is argmax z
        accuracies.append(float((z.argmax(axis=1) == labels).mean()))
    return accuracies


def _measure_conv(network, readings: list, pixels: np.ndarray, labels: np.ndarray) -> list[float]:
    import torch

    from ..conv_export import torch_module
    from ..conv_schema import INPUT_SHAPE

    module = torch_module(network.layers).eval()
    images = torch.from_numpy(pixels.astype(np.float32)).reshape(-1, *INPUT_SHAPE)
    accuracies = []
    with torch.no_grad():
        for reading in readings:
            m, s = reading if reading is not None else AS_GIVEN
            answers = module((images - m) / s).argmax(1).numpy()
            accuracies.append(float((answers == labels).mean()))
    return accuracies


def compose(steps: list, inputs: tuple) -> list:
    """`steps` read on inputs normalised by `inputs` first: a model's own normalisation
    (x - m2) / s2 after (x - m1) / s1 is (x - (m1 + m2 s1)) / (s1 s2), one step; else a
    new first step."""
    (m1, s1), index = inputs, _own_index(steps)
    if index is None:
        return [Normalize("the inputs' normalisation", m1, s1), *steps]
    own = steps[index]
    combined = Normalize(f"the inputs' normalisation, then {own.name}", m1 + own.mean * s1, s1 * own.std)
    return [*steps[:index], combined, *steps[index + 1:]]


def describe(reading, own) -> str:
    """How a reading is said in a line: 'on the pixels as given (0..1)', ..."""
    then = f", then the model's own (x - {own[0]:g}) / {own[1]:g}" if own is not None else ""
    if reading is None:
        return f"on the pixels as given (0..1{then})"
    return f"on inputs normalised as (x - {reading[0]:g}) / {reading[1]:g}{then}"


def sentence(record: dict, test_accuracy: float) -> str:
    """What `render.py import` prints: the accuracy measured, on which inputs, and the
    other readings'."""
    own = record["model"]
    inputs = record["inputs"]
    others = [f"{_percent(entry['test_accuracy'])} {describe(entry['inputs'], None).removeprefix('on ')}"
              for index, entry in enumerate(record["measured"]) if index != record["used"]]
    digits = record.get("digits", TEST_DIGITS)   # exports imported before it measured every reading on all
    on = "" if digits == TEST_DIGITS else f" (on {_digits(digits)})"
    return (f"measured on MNIST's {TEST_DIGITS:,} test digits: {_percent(test_accuracy)} right {describe(inputs, own)} "
            f"({record['why']}); other readings{on}: {', '.join(others)}")


def check_record(record, normalize, where: str) -> None:
    """The reader's check of a `source.normalisation` record: its shape, that the reading
    it says was used is one it measured, and that the normalisation folded into the
    first layer (`source.normalize`) is what its inputs and the model's own compose to."""
    def pair(value) -> bool:
        return value is None or (isinstance(value, list) and len(value) == 2 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and np.isfinite(x) for x in value) and value[1] > 0)

    def expect(condition, message):
        if not condition:
            raise UserError(f"{where}: {message}")

    keys = {"inputs", "model", "why", "measured", "used"}
    expect(isinstance(record, dict) and set(record) in (keys, keys | {"digits"}),
           "must hold inputs, model, why, measured and used (and digits, in exports imported since it was added)")
    digits = record.get("digits", TEST_DIGITS)
    expect(isinstance(digits, int) and not isinstance(digits, bool) and 0 < digits <= TEST_DIGITS,
           f"digits must be how many test digits the readings were measured on, 1 to {TEST_DIGITS:,}")
    expect(pair(record["inputs"]) and pair(record["model"]), "inputs and model must each be null or [mean, std > 0]")
    expect(isinstance(record["why"], str) and 0 < len(record["why"]) <= 300, "why must be a short text")
    measured = record["measured"]
    expect(isinstance(measured, list) and 0 < len(measured) <= 8 and all(
        isinstance(e, dict) and set(e) == {"inputs", "test_accuracy"} and pair(e["inputs"])
        and isinstance(e["test_accuracy"], (int, float)) and not isinstance(e["test_accuracy"], bool)
        and 0 <= e["test_accuracy"] <= 1 for e in measured),
        "measured must list up to 8 readings, each {inputs, test_accuracy in [0, 1]}")
    used = record["used"]
    expect(isinstance(used, int) and not isinstance(used, bool) and 0 <= used < len(measured)
           and measured[used]["inputs"] == record["inputs"], "used must name the measured reading of its inputs")
    inputs, own = record["inputs"], record["model"]
    folded = (None if inputs is None and own is None else inputs if own is None else own if inputs is None
              else [inputs[0] + own[0] * inputs[1], inputs[1] * own[1]])
    expect((folded is None) == (normalize is None) and (folded is None or np.allclose(folded, normalize, rtol=1e-9)),
           f"its inputs {inputs} and the model's own {own} compose to {folded}, but normalize is {normalize}")


def _own(steps: list):
    index = _own_index(steps)
    return None if index is None else (float(steps[index].mean), float(steps[index].std))


def _own_index(steps: list):
    """Where the model's own normalisation is: a Normalize before the first Linear."""
    for index, step in enumerate(steps):
        if isinstance(step, Normalize):
            return index
        if not isinstance(step, Passive):
            return None
    return None


def _same(a, b) -> bool:
    return a is not None and b is not None and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def _percent(share: float) -> str:
    return f"{100 * share:.1f} %"
