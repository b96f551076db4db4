"""The export of a convolutional network: its `convnet` section and examples, read and re-proved.

An MLP's export keeps its `network` section, untouched; a CNN's has `convnet` instead
(docs/export-format.md, "Convolutional networks"), and `model/schema.py`, the one
reader, hands such a document here. The layer list names each step the network takes
(conv2d, an activation, maxpool, avgpool, flatten, dense, the output activation last);
every example carries every layer's output (the feature maps). Numbers are float32,
little-endian, base64: the maps are most of a CNN's file (pytorch/examples' CNN has
126,000 values per digit), and as JSON decimals they would be three times the size and
ten times slower to read.

On every read each map and output is computed again from the kernels, biases and pixels
in float64 (model/conv_formula.py) and the file is refused, in one line naming the
example, layer, channel and position, if any value differs by more than float32's
rounding could explain. Every size is checked against model/limits.py before anything
is decoded.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import numpy as np

from . import conv_formula, limits
from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .checked import expect as _expect, field as _field
from .errors import UserError
from .strict_json import exact_int
from .shapes import CLASSES, IMAGE_SIDE, PIXELS

KEY = "convnet"                     # the top-level key that makes an export a CNN's
ENCODING = "float32-le-base64"      # how every array of a CNN's export is written
INPUT_SHAPE = (1, IMAGE_SIDE, IMAGE_SIDE)
WINDOWED = ("conv2d", "maxpool", "avgpool")
LAYER_KINDS = ("conv2d", "maxpool", "avgpool", "flatten", "dense", *OUTPUT_ACTIVATIONS)
RECOMPUTE_TOLERANCE = 1e-5          # relative to max(1, |value|): float32 rounds at 6e-8
MAX_NAME = 100                      # characters of a layer's name (the model's own)
NOT_COMPUTED_KEY = "not_computed"   # sections an MLP's export has and this one has not: name -> why


@dataclass(frozen=True)
class ConvNetwork:
    layers: list          # conv_formula.Conv2d / Pool / Flatten / Dense / Act, in order
    names: list           # each layer's name in the model it came from, or None
    shapes: list          # shapes[0] the input (1, 28, 28); shapes[i + 1] layer i's output

    @property
    def output_activation(self) -> str:
        return self.layers[-1].name

    @property
    def hidden_activation(self) -> str:
        """The activation after the convolutions and hidden dense layers (one, as for an MLP)."""
        return next(layer.name for layer in self.layers if isinstance(layer, conv_formula.Act))

    @property
    def parameter_count(self) -> int:
        return sum(layer.weight.size + layer.bias.size for layer in self.layers
                   if isinstance(layer, (conv_formula.Conv2d, conv_formula.Dense)))

    def describe(self, index: int) -> str:
        """`layer 3 (conv2d 'conv2')`: how a refusal names a layer."""
        name = self.names[index]
        return f"layer {index + 1} ({self.layers[index].kind}{f' {name!r}' if name else ''})"


@dataclass(frozen=True)
class ConvExample:
    id: str
    source: str
    index: int | None
    path: str | None
    label: int | None
    pixels: np.ndarray     # [784] in [0, 1], row-major 28x28
    maps: list             # maps[i]: layer i's output for this digit, shaped network.shapes[i + 1]
    prediction: int
    added: bool = False
    doubt: str | None = None


def encode(array) -> str:
    """float32 little-endian, base64: how a CNN's export writes every array."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def as_float32(array) -> np.ndarray:
    """What `encode` keeps of an array, as float64: the numbers the file will hold."""
    return np.asarray(array, dtype=np.float64).astype("<f4").astype(np.float64)


def decode(value, shape: tuple, where: str) -> np.ndarray:
    """An encoded array of exactly `shape`, finite, as float64; its length checked first."""
    count = int(np.prod(shape))
    _expect(isinstance(value, str), f"{where} is not a {ENCODING} string")
    _expect(len(value) == 4 * -(-count * 4 // 3),
            f"{where} holds {len(value)} base64 characters; {count:,} float32s take {4 * -(-count * 4 // 3):,}")
    try:  # not validate=True (3x slower): a character outside base64 is dropped, so the length check below fails
        raw = base64.b64decode(value)
    except (binascii.Error, ValueError):
        raise UserError(f"{where} is not valid base64") from None
    _expect(len(raw) == 4 * count, f"{where} decodes to {len(raw)} bytes, not {4 * count}")
    result = np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(shape)
    _expect(bool(np.isfinite(result).all()), f"{where} holds NaN or infinite values")
    return result


def parse_network(net) -> ConvNetwork:
    """The `convnet` section: headers and shapes checked (and capped) before any array is decoded."""
    _expect(isinstance(net, dict), f"{KEY} is not an object")
    _expect(net.get("encoding") == ENCODING, f"{KEY}.encoding is {net.get('encoding')!r}, not {ENCODING!r}")
    _expect(net.get("input") == list(INPUT_SHAPE), f"{KEY}.input must be {list(INPUT_SHAPE)} (one 28x28 grey image)")
    entries = _field(net, "layers", list, f"{KEY}.")
    _expect(2 <= len(entries) <= limits.MAX_CONV_LAYERS, f"{KEY}.layers must hold 2-{limits.MAX_CONV_LAYERS} layers")
    headers = [_header(entry, f"{KEY}.layers[{i}]") for i, entry in enumerate(entries)]
    shapes, shape = [INPUT_SHAPE], INPUT_SHAPE
    for i, (kind, name, sizes) in enumerate(headers):
        shape = _shape_after(kind, sizes, shape, f"{KEY}.layers[{i}]")
        shapes.append(shape)
        limits.check_conv_network([], [], shapes, 0, KEY)  # the maps so far, before the next layer's check
    kinds = [kind for kind, _, _ in headers]
    _expect(kinds[-1] in OUTPUT_ACTIVATIONS and kinds[-2] == "dense" and shapes[-1] == (CLASSES,),
            f"{KEY}.layers must end in a dense layer of {CLASSES} outputs and the output activation")
    _expect("softmax" not in kinds[:-1], f"{KEY}: softmax comes only last, as the output activation")
    hidden = {kind for kind in kinds[:-1] if kind in OUTPUT_ACTIVATIONS}
    _expect(len(hidden) == 1 and hidden <= set(HIDDEN_ACTIVATIONS),
            f"{KEY}: the hidden layers use one activation of {', '.join(HIDDEN_ACTIVATIONS)} (found {sorted(hidden) or 'none'})")
    parameters = sum(sizes.get("parameters", 0) for _, _, sizes in headers)
    limits.check_conv_network([s["out_channels"] for k, _, s in headers if k == "conv2d"],
                              [side for k, _, s in headers if k in WINDOWED for side in s["kernel"]],
                              shapes, parameters, KEY)
    layers = [_layer(entry, kind, sizes, f"{KEY}.layers[{i}]")
              for i, (entry, (kind, _, sizes)) in enumerate(zip(entries, headers))]
    return ConvNetwork(layers, [name for _, name, _ in headers], shapes)


def _pair(entry, key: str, where: str, low: int) -> tuple:
    value = entry.get(key)
    _expect(isinstance(value, list) and len(value) == 2 and all(exact_int(v) and v >= low for v in value),
            f"{where}.{key} must be two integers of at least {low}")
    return tuple(value)


def _header(entry, where: str) -> tuple:
    """(kind, name, sizes) of one layer, its arrays not yet touched."""
    _expect(isinstance(entry, dict), f"{where} is not an object")
    kind = entry.get("kind")
    _expect(kind in LAYER_KINDS, f"{where}.kind {kind!r} is not one of {LAYER_KINDS}")
    name = entry.get("name")
    _expect(name is None or (isinstance(name, str) and 0 < len(name) <= MAX_NAME), f"{where}.name must be null or a short text")
    sizes = {}
    if kind in WINDOWED:
        sizes = {"kernel": _pair(entry, "kernel", where, 1), "stride": _pair(entry, "stride", where, 1),
                 "padding": _pair(entry, "padding", where, 0)}
        _expect(all(k <= limits.MAX_KERNEL_SIDE for k in sizes["kernel"]),
                f"{where}.kernel is over the limit of {limits.MAX_KERNEL_SIDE}")
        _expect(all(2 * p <= k for p, k in zip(sizes["padding"], sizes["kernel"])) or kind == "conv2d",
                f"{where}.padding must be at most half the window")
    if kind == "conv2d":
        for key in ("in_channels", "out_channels"):
            value = entry.get(key)
            _expect(exact_int(value) and 1 <= value <= limits.MAX_CHANNELS, f"{where}.{key} must be 1-{limits.MAX_CHANNELS}")
            sizes[key] = value
        sizes["parameters"] = sizes["out_channels"] * (sizes["in_channels"] * sizes["kernel"][0] * sizes["kernel"][1] + 1)
    if kind == "dense":
        for key in ("in", "out"):
            value = entry.get(key)
            _expect(exact_int(value) and 1 <= value <= limits.MAX_MAP_VALUES, f"{where}.{key} must be a positive size")
            sizes[key] = value
        sizes["parameters"] = sizes["out"] * (sizes["in"] + 1)
    known = {"kind", "name", "weight", "bias", *sizes} - {"parameters"}
    known |= {"in", "out"} if kind == "dense" else set()
    _expect(set(entry) <= known, f"{where} has unknown keys {sorted(set(entry) - known)}")
    return kind, name, sizes


def _shape_after(kind: str, sizes: dict, shape: tuple, where: str) -> tuple:
    if kind in WINDOWED:
        _expect(len(shape) == 3, f"{where}: a {kind} needs feature maps, but the layer before gives {_text(shape)}")
        if kind == "conv2d":
            _expect(sizes["in_channels"] == shape[0],
                    f"{where}.in_channels is {sizes['in_channels']}, but the layer before gives {shape[0]} maps")
        sides = tuple(conv_formula.output_size(n, k, s, p)
                      for n, k, s, p in zip(shape[1:], sizes["kernel"], sizes["stride"], sizes["padding"]))
        _expect(min(sides) >= 1, f"{where}: its {_text(sizes['kernel'])} window does not fit a {_text(shape[1:])} map")
        return (sizes.get("out_channels", shape[0]), *sides)
    if kind == "flatten":
        return (int(np.prod(shape)),)
    if kind == "dense":
        _expect(shape == (sizes["in"],), f"{where}.in is {sizes['in']}, but the layer before gives {_text(shape)}")
        return (sizes["out"],)
    return shape


def _layer(entry: dict, kind: str, sizes: dict, where: str):
    if kind == "conv2d":
        o, c, (kh, kw) = sizes["out_channels"], sizes["in_channels"], sizes["kernel"]
        return conv_formula.Conv2d(decode(entry.get("weight"), (o, c, kh, kw), f"{where}.weight"),
                                   decode(entry.get("bias"), (o,), f"{where}.bias"), sizes["stride"], sizes["padding"])
    if kind in ("maxpool", "avgpool"):
        return conv_formula.Pool(kind, sizes["kernel"], sizes["stride"], sizes["padding"])
    if kind == "flatten":
        return conv_formula.Flatten()
    if kind == "dense":
        return conv_formula.Dense(decode(entry.get("weight"), (sizes["out"], sizes["in"]), f"{where}.weight"),
                                  decode(entry.get("bias"), (sizes["out"],), f"{where}.bias"))
    return conv_formula.Act(kind)


def parse_example(e, network: ConvNetwork, where: str, common) -> ConvExample:
    """One example: `common` (schema's) reads what every export's examples share."""
    ident, source, index, path, label, prediction, added, doubt = common(e, where)
    pixels = decode(e.get("pixels"), (PIXELS,), f"{where}.pixels")
    _expect(pixels.min() >= 0 and pixels.max() <= 1, f"{where}.pixels must lie in [0, 1]")
    maps = e.get("maps")
    _expect(isinstance(maps, list) and len(maps) == len(network.layers), f"{where}.maps must hold one map per layer")
    maps = [decode(m, network.shapes[i + 1], f"{where}.maps[{i}]") for i, m in enumerate(maps)]
    _expect(set(e) <= {"id", "source", "index", "path", "label", "pixels", "maps", "prediction", "added", "doubt"},
            f"{where} has unknown keys")
    return ConvExample(ident, source, index, path, label, pixels, maps, prediction, added, doubt)


def check_recomputed(network: ConvNetwork, examples: list[ConvExample]) -> None:
    """Every layer's output of every example computed again from the kernels, biases and
    pixels; the first value that differs (earliest layer first) is named and refused."""
    outputs = conv_formula.forward(network.layers, np.stack([e.pixels.reshape(INPUT_SHAPE) for e in examples]))
    for layer, ours in enumerate(outputs[1:]):
        theirs = np.stack([e.maps[layer] for e in examples])
        error = np.abs(theirs - ours)
        if error.max() <= RECOMPUTE_TOLERANCE:  # the usual case: every value within the absolute tolerance
            continue
        excess = error - RECOMPUTE_TOLERANCE * np.maximum(1.0, np.abs(ours))
        if (excess > 0).any():
            row = int(np.flatnonzero((excess > 0).reshape(len(examples), -1).any(axis=1))[0])
            position = np.unravel_index(int(np.argmax(excess[row])), ours.shape[1:])
            raise UserError(f"example {examples[row].id}: {network.describe(layer)} {_position(position)} is "
                            f"{theirs[row][position]:.6g} in the file, but the network's kernels, biases and pixels "
                            f"give {ours[row][position]:.6g}; the file's numbers were not produced by its network")
    answers = outputs[-1].argmax(axis=1)
    for example, answer in zip(examples, answers):
        _expect(example.prediction == int(answer), f"example {example.id}: prediction is {example.prediction}, "
                                                   f"but the network's brightest output is {int(answer)}")


def parse_not_computed(section, known) -> dict:
    """The `not_computed` section: which of `known` sections the file goes without, and why."""
    if section is None:
        return {}
    _expect(isinstance(section, dict) and set(section) <= set(known)
            and all(isinstance(why, str) and 0 < len(why) <= 300 for why in section.values()),
            f"{NOT_COMPUTED_KEY} must name sections of {sorted(known)}, each with a short reason")
    return dict(section)


def require(export, key: str, scene: str):
    """The export's section `key` (kernel_evidence, kernel_gradients: the Export's field of
    that name), or one UserError saying why the file goes without it: what a CNN's beat
    calls before drawing from a section."""
    value = getattr(export, key, None)
    if value is not None:
        return value
    why = (export.not_computed or {}).get(key)
    if why is None:
        snapshot = "snapshot_of" in export.training
        why = ("a training snapshot goes without it; draw from the trained network's export" if snapshot else
               "it is older than this section: rebuild it with `render.py export`, or import the network again")
    raise UserError(f"{scene} draws the export's {key} section, and this export has none ({why})")


def _position(position: tuple) -> str:
    if len(position) == 3:
        return f"channel {position[0]}, row {position[1]}, column {position[2]}"
    return f"output {position[0]}"


def _text(shape) -> str:
    return "x".join(map(str, shape))
