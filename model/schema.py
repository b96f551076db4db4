"""The export file: the one contract between the model and the scenes.

`assets/export/network.json` holds everything the scenes draw: the network's shape,
weights and biases (acting on pixel values in [0, 1]), how it was trained, and
example digits with every layer's pre-activations z and activations a.
`docs/export-format.md` describes it for other tools; this module is the one place
that knows its shape. `read_export` validates every read and hands back typed
objects, so no reader ever sees a half-valid file.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import backprop, conv_backprop, conv_schema, formula, invocation, kernel_evidence, limits, neuron_evidence, strict_json
from .checked import array as _array, expect as _expect, field as _field, shape_text as _shape
from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .importing.layer_list import DRAWN_OUTPUT
from .errors import UserError
from .example_ids import is_example_id
from .strict_json import exact_int
from .shapes import CLASSES, IMAGE_SIDE, PIXELS

FORMAT = "nn-explainer.export"
VERSION = 1
SOURCES = ("mnist-train", "mnist-test", "image")
RECOMPUTE_TOLERANCE = 1e-5  # exported numbers are rounded to 8 significant digits: far below this
TRAINING_KEYS = {"seed": int, "epochs": int, "device": str, "seconds": (int, float),
                 "train_accuracy": (int, float), "test_accuracy": (int, float),
                 "dataset_sha256": str, "torch_version": str}
# A network trained elsewhere (`render.py import`): its training run is not ours to know;
# what we measured of it on MNIST is.
MEASURED_KEYS = ("train_accuracy", "test_accuracy", "dataset_sha256")
SOURCE_KEY = "source"       # where an imported network came from, and what was folded into it
SOURCE_KINDS = ("state_dict", "onnx", "module")
SOURCE_OUTPUTS = tuple(DRAWN_OUTPUT)   # what a model's own last values were
MAX_SOURCE_TEXT = 300       # characters: a file name or a note, drawn in a caption
MAX_SOURCE_NOTES = 16


@dataclass(frozen=True)
class Network:
    sizes: list[int]
    hidden_activation: str
    output_activation: str
    weights: list[np.ndarray]  # [out, in] per layer, float64
    biases: list[np.ndarray]   # [out] per layer

    @property
    def parameter_count(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))


@dataclass(frozen=True)
class Example:
    id: str
    source: str
    index: int | None
    path: str | None
    label: int | None
    pixels: np.ndarray     # [784] in [0, 1], row-major 28x28
    z: list[np.ndarray]    # one per non-input layer
    a: list[np.ndarray]    # one per layer, a[0] == pixels
    prediction: int
    added: bool = False    # an MNIST digit the user added (`export --digit test:N`): kept on re-export
    doubt: str | None = None   # an image that looks little like a digit: why (digit_image.doubt)


@dataclass(frozen=True)
class Export:
    network: Network           # or a conv_schema.ConvNetwork: read_export(..., convolutional=True) only
    training: dict
    examples: list[Example]    # or conv_schema.ConvExample, for a CNN
    sha256: str  # of the file's bytes: what a rendered clip was made from
    neuron_evidence: "neuron_evidence.NeuronEvidence | None" = None  # what the hidden neurons do (re-proved)
    gradients: backprop.Gradients | None = None  # chapter two's section, recomputed (model/backprop.py)
    source: dict | None = None   # an imported network's origin (`render.py import`); None: trained here
    not_computed: dict = None    # a CNN's: sections it goes without -> why (conv_schema.require)
    kernel_evidence: "kernel_evidence.KernelEvidence | None" = None  # a CNN's first-layer kernels (re-proved)
    kernel_gradients: "conv_backprop.KernelGradients | None" = None  # a CNN's gradient, every kernel (recomputed)

    @property
    def convolutional(self) -> bool:
        """Whether the file holds a CNN (its `convnet` section) rather than an MLP."""
        return isinstance(self.network, conv_schema.ConvNetwork)

    @property
    def trained_here(self) -> bool:
        """Whether `render.py train` made this network, so that its training run is known."""
        return self.source is None

    def example(self, example_id: str) -> Example:
        for example in self.examples:
            if example.id == example_id:
                return example
        known = ", ".join(e.id for e in self.examples)
        how = (f"add it with `{invocation.program()} export --digit {example_id}`" if not example_id.startswith("image:")
               else f"add an image with `{invocation.program()} export --digit FILE`")
        raise UserError(f"no example '{example_id}' in the export ({how}; known: {known})")


CONVOLUTIONAL_NOT_DRAWN = ("holds a convolutional network (its `convnet` section); this draws multilayer "
                           "perceptrons only (train one with `render.py train`, or import an MLP)")


def read_export(path: Path, convolutional: bool = False) -> Export:
    """Load and validate an export file; any defect is one UserError naming it. A CNN's
    export is re-proved like any other, then refused unless the caller reads CNNs
    (`convolutional`): every MLP reader (the scenes, the widget) gets one line, not a crash."""
    import hashlib

    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise UserError(f"{path}: no export file (run `{invocation.command('train')}` or `export`)")
    raw = strict_json.read_capped(path, limits.MAX_EXPORT_BYTES, "export file")  # regular files only, capped
    # No duplicate keys, NaN or deep nesting:
    doc = strict_json.loads(raw, str(path), invalid="not a valid export, truncated or not JSON")
    try:
        export = parse(doc, hashlib.sha256(raw).hexdigest())
    except UserError as err:
        raise UserError(f"{path}: {err}") from None
    if export.convolutional and not convolutional:
        raise UserError(f"{path}: {CONVOLUTIONAL_NOT_DRAWN}")
    return export


def parse(doc, sha256: str = "") -> Export:
    """Validate an export document (already JSON-decoded) and build typed objects."""
    _expect(isinstance(doc, dict), "the top level is not an object")
    _expect(doc.get("format") == FORMAT, f"format is {doc.get('format')!r}, not {FORMAT!r}")
    _expect(exact_int(doc.get("version")) and doc.get("version") == VERSION,
            f"unknown version {doc.get('version')!r} (this nn-explainer reads version {VERSION})")
    if conv_schema.KEY in doc:
        return _parse_conv(doc, sha256)
    network = _parse_network(_field(doc, "network", dict))
    training = _field(doc, "training", dict)
    source = _parse_source(doc.get(SOURCE_KEY), network) if SOURCE_KEY in doc else None
    _check_training(training, source)
    examples = [_parse_example(e, network, f"examples[{i}]")
                for i, e in enumerate(_field(doc, "examples", list))]
    _expect(examples, "examples is empty")
    ids = [e.id for e in examples]
    _expect(len(set(ids)) == len(ids), "example ids are not unique")
    _check_recomputed(network, examples)
    evidence = neuron_evidence.check(doc.get(neuron_evidence.KEY), network, examples)
    gradients = backprop.check_section(doc.get(backprop.KEY), network, examples)  # recomputed too, or refused
    return Export(network, training, examples, sha256, evidence, gradients, source)


def _check_training(training: dict, source) -> None:
    for key, kind in TRAINING_KEYS.items():
        if source is not None and key not in MEASURED_KEYS:
            continue
        _expect(isinstance(training.get(key), kind) and not isinstance(training.get(key), bool)
                and (kind is not int or exact_int(training.get(key))),
                f"training.{key} is missing or not a {getattr(kind, '__name__', 'number')}")


def _parse_conv(doc: dict, sha256: str) -> Export:
    """A CNN's export (model/conv_schema.py): the same training, source and example
    fields as an MLP's, its own network and maps, all recomputed."""
    _expect("network" not in doc, f"an export holds either network (an MLP) or {conv_schema.KEY} (a CNN), not both")
    network = conv_schema.parse_network(doc[conv_schema.KEY])
    training = _field(doc, "training", dict)
    source = _parse_source(doc.get(SOURCE_KEY), network) if SOURCE_KEY in doc else None
    _check_training(training, source)
    examples = [conv_schema.parse_example(e, network, f"examples[{i}]", example_fields)
                for i, e in enumerate(_field(doc, "examples", list))]
    _expect(examples, "examples is empty")
    ids = [e.id for e in examples]
    _expect(len(set(ids)) == len(ids), "example ids are not unique")
    conv_schema.check_recomputed(network, examples)
    for key in (neuron_evidence.KEY, backprop.KEY):  # an MLP's sections; a CNN's are kernel_evidence, kernel_gradients
        _expect(key not in doc, f"{key}: this nn-explainer does not re-prove it for a convolutional network")
    sections = (kernel_evidence.KEY, conv_backprop.KEY)
    missing = conv_schema.parse_not_computed(doc.get(conv_schema.NOT_COMPUTED_KEY),
                                             (neuron_evidence.KEY, backprop.KEY, *sections))
    _expect(not set(missing) & set(doc), f"{conv_schema.NOT_COMPUTED_KEY} names a section the file holds")
    evidence = kernel_evidence.check(doc.get(kernel_evidence.KEY), network, examples)   # re-proved, or refused
    gradients = conv_backprop.check(doc.get(conv_backprop.KEY), network, examples)    # recomputed, or refused
    return Export(network, training, examples, sha256, None, None, source, missing, evidence, gradients)


def _parse_source(source, network: Network) -> dict:
    _expect(isinstance(source, dict), f"{SOURCE_KEY} is not an object")
    kind, name, outputs = source.get("kind"), source.get("name"), source.get("outputs")
    _expect(kind in SOURCE_KINDS, f"{SOURCE_KEY}.kind {kind!r} is not one of {SOURCE_KINDS}")
    _expect(isinstance(name, str) and 0 < len(name) <= MAX_SOURCE_TEXT, f"{SOURCE_KEY}.name must be a short text")
    _expect(outputs in SOURCE_OUTPUTS, f"{SOURCE_KEY}.outputs {outputs!r} is not one of {SOURCE_OUTPUTS}")
    drawn = DRAWN_OUTPUT[outputs]
    _expect(network.output_activation == drawn, f"{SOURCE_KEY}.outputs is {outputs}, so the outputs are drawn as "
                                                f"{drawn}, but network.output_activation is {network.output_activation}")
    normalize = source.get("normalize")
    _expect(normalize is None or (isinstance(normalize, list) and len(normalize) == 2
                                  and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                                          for x in normalize) and normalize[1] > 0),
            f"{SOURCE_KEY}.normalize must be null or [mean, std] with std > 0")
    notes = source.get("notes")
    _expect(isinstance(notes, list) and len(notes) <= MAX_SOURCE_NOTES
            and all(isinstance(n, str) and 0 < len(n) <= MAX_SOURCE_TEXT for n in notes),
            f"{SOURCE_KEY}.notes must be a list of at most {MAX_SOURCE_NOTES} short texts")
    sha = source.get("sha256")
    _expect(sha is None or (isinstance(sha, str) and len(sha) == 64), f"{SOURCE_KEY}.sha256 must be null or a sha256")
    known = {"kind", "name", "outputs", "normalize", "normalisation", "notes", "sha256"}
    _expect(set(source) <= known, f"{SOURCE_KEY} has unknown keys {sorted(set(source) - known)}")
    normalised = source.get("normalisation")   # absent in exports imported before it was measured
    if normalised is not None:
        from .importing.normalisation import check_record

        check_record(normalised, normalize, f"{SOURCE_KEY}.normalisation")
    return {"kind": kind, "name": name, "outputs": outputs, "normalize": normalize, "normalisation": normalised,
            "notes": list(notes), "sha256": sha}


def _check_recomputed(network: Network, examples: list[Example]) -> None:
    """Run the network's formula on the examples' pixels and refuse the file unless it
    holds exactly those numbers: a hand-edited activation, prediction or pixel would
    otherwise be drawn as if the network had produced it. One batch: each weight matrix
    is read once, not once per example (it is 25 MB for a hidden layer of 4096)."""
    zs, activations = formula.forward(network.weights, network.biases, network.hidden_activation,
                                      network.output_activation, np.stack([e.pixels for e in examples]))
    for row, example in enumerate(examples):
        for kind, exported, recomputed in (("z", example.z, zs), ("a", example.a[1:], activations[1:])):
            for layer, (theirs, ours) in enumerate(zip(exported, recomputed)):
                error = np.abs(theirs - ours[row])
                if error.max() > RECOMPUTE_TOLERANCE:
                    neuron = int(np.argmax(error))
                    number = layer if kind == "z" else layer + 1
                    raise UserError(f"example {example.id}: {kind}[{number}][{neuron}] is {theirs[neuron]:.6g} in the file, "
                                    f"but the network's weights and pixels give {ours[row][neuron]:.6g}; "
                                    "the file's numbers were not produced by its network")
        answer = int(np.argmax(activations[-1][row]))
        _expect(example.prediction == answer, f"example {example.id}: prediction is {example.prediction}, "
                                              f"but the network's brightest output is {answer}")


def _parse_network(net: dict) -> Network:
    sizes = _field(net, "sizes", list, "network.")
    _expect(len(sizes) >= 2 and all(exact_int(s) and s > 0 for s in sizes),
            f"network.sizes {sizes!r} is not a list of positive integers")
    limits.check_network_sizes(sizes, "network.sizes")  # before any array is built
    _expect(sizes[0] == PIXELS and sizes[-1] == CLASSES,
            f"network.sizes {sizes!r} must start at {PIXELS} ({IMAGE_SIDE}x{IMAGE_SIDE} pixels) and end at {CLASSES} (digits)")
    hidden, output = net.get("hidden_activation"), net.get("output_activation")
    for name, value, known in (("hidden_activation", hidden, HIDDEN_ACTIVATIONS),
                               ("output_activation", output, OUTPUT_ACTIVATIONS)):
        _expect(value in known, f"network.{name} {value!r} is not one of {known}")
    layers = len(sizes) - 1
    weights = _field(net, "weights", list, "network.")
    biases = _field(net, "biases", list, "network.")
    _expect(len(weights) == layers and len(biases) == layers,
            f"network has {len(weights)} weight matrices and {len(biases)} bias vectors for {layers} layers")
    weights = [_array(w, (sizes[i + 1], sizes[i]), f"network.weights[{i}]") for i, w in enumerate(weights)]
    biases = [_array(b, (sizes[i + 1],), f"network.biases[{i}]") for i, b in enumerate(biases)]
    return Network(sizes, hidden, output, weights, biases)


def example_fields(e, where: str) -> tuple:
    """What every export's examples share, an MLP's or a CNN's: (id, source, index, path,
    label, prediction, added, doubt), each checked."""
    _expect(isinstance(e, dict), f"{where} is not an object")
    example_id = _field(e, "id", str, where + ".")
    _expect(is_example_id(example_id), f"{where}.id {example_id!r} is not an example id "
                                       "(train:N, test:N or image:NAME with NAME of A-Z a-z 0-9 _ -)")
    source = e.get("source")
    _expect(source in SOURCES, f"{where}.source {source!r} is not one of {SOURCES}")
    index = e.get("index") if source != "image" else None
    path = e.get("path") if source == "image" else None
    if source == "image":
        _expect(isinstance(path, str), f"{where}.path must be a string for an image example")
    else:
        _expect(exact_int(index) and index >= 0, f"{where}.index must be a non-negative integer")
    label = e.get("label")
    _expect(label is None or (exact_int(label) and 0 <= label < CLASSES), f"{where}.label {label!r} is not null or 0-9")
    prediction = e.get("prediction")
    _expect(exact_int(prediction) and 0 <= prediction < CLASSES, f"{where}.prediction {prediction!r} is not an integer 0-9")
    added = e.get("added", False)
    _expect(isinstance(added, bool) and (not added or source != "image"),
            f"{where}.added must be true or false, and only for an MNIST digit")
    doubt = e.get("doubt")
    _expect(doubt is None or (isinstance(doubt, str) and 0 < len(doubt) <= MAX_DOUBT and source == "image"),
            f"{where}.doubt must be null or a short text, and only for an image")
    return example_id, source, index, path, label, prediction, added, doubt


def _parse_example(e, network: Network, where: str) -> Example:
    example_id, source, index, path, label, prediction, added, doubt = example_fields(e, where)
    pixels = _array(e.get("pixels"), (PIXELS,), f"{where}.pixels")
    _expect(pixels.min() >= 0 and pixels.max() <= 1, f"{where}.pixels must lie in [0, 1]")
    sizes = network.sizes
    zs, acts = e.get("z"), e.get("a")
    _expect(isinstance(zs, list) and len(zs) == len(sizes) - 1, f"{where}.z must hold one vector per non-input layer")
    _expect(isinstance(acts, list) and len(acts) == len(sizes), f"{where}.a must hold one vector per layer")
    zs = [_array(z, (sizes[i + 1],), f"{where}.z[{i}]") for i, z in enumerate(zs)]
    acts = [_array(a, (sizes[i],), f"{where}.a[{i}]") for i, a in enumerate(acts)]
    _expect(np.array_equal(acts[0], pixels), f"{where}.a[0] differs from its pixels")
    return Example(example_id, source, index, path, label, pixels, zs, acts, prediction, added, doubt)


MAX_DOUBT = 200   # characters: a reason drawn in a caption


def dumps(doc: dict) -> str:
    """Serialise an export document; refuses NaN/inf rather than writing invalid JSON."""
    return json.dumps(doc, allow_nan=False, separators=(",", ":")) + "\n"


def round_float(x: float, digits: int = 8) -> float:
    """Eight significant digits: float32's precision, and a file a third the size."""
    return float(f"{x:.{digits}g}") if x != 0 and math.isfinite(x) else float(x)


EXACT_POWERS = 22   # 10^k is a float64 exactly up to 10^22


def round_floats(values) -> np.ndarray:
    """`round_float` of every element, to the bit, without a Python call per number (the
    PyTorch tutorial's 670,000 weights took 2.8 s one by one): x·10^k rounded to an
    integer r (8 digits), then r / 10^k, each one correctly rounded step, so the nearest
    float64 to the decimal r·10^-k, as float("%.8g" % x) is. Where x·10^k lies within
    its own rounding error of a half (a tie the product could hide) and where the power
    is not exact, round_float decides, one by one; 0, inf and NaN stay as they are."""
    x = np.array(values, dtype=np.float64)
    out = x.copy()
    flat, result = x.reshape(-1), out.reshape(-1)
    regular = np.isfinite(flat) & (flat != 0)    # 0, inf and NaN are themselves (round_float's float(x))
    numbers = regular.copy()
    with np.errstate(divide="ignore"):
        k = 7 - np.floor(np.log10(np.abs(np.where(regular, flat, 1.0)))).astype(np.int64)
    regular &= np.abs(k) <= EXACT_POWERS
    k = np.where(regular, k, 0)
    powers = 10.0 ** np.abs(k)
    with np.errstate(invalid="ignore", over="ignore"):   # inf and NaN go to round_float below
        scaled = np.where(k >= 0, flat * powers, flat / powers)
        integer = np.rint(scaled)
        clear = regular & (np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) > 1e-6) \
            & (np.abs(integer) >= 1e7) & (np.abs(integer) < 1e8)   # a wrong k (log10's rounding): round_float
    result[clear] = np.where(k >= 0, integer / powers, integer * powers)[clear]
    for index in np.flatnonzero(numbers & ~clear):
        result[index] = round_float(float(flat[index]))
    return out
