"""What each first-layer kernel of a CNN does, measured on the real network and digits.

The CNN's counterpart of model/neuron_evidence.py (the MLP's), in the export's
`kernel_evidence` section. A kernel is one output channel of the network's first
convolution; its **map** is that channel's output after the activation that follows the
convolution (the convolution's own output when no activation follows it directly).

- **what excites a kernel**: its TOP_DIGITS test digits with the strongest response,
  a digit's response being the largest value anywhere in the kernel's map (one number
  a viewer reads as "how strongly this kernel fired somewhere on this digit"), with
  their labels, responses and where in the map the response is (row, column; the first
  in reading order of equal values). Largest first, ties to the lower test index.
- **what the answer leans on**: the test accuracy with the kernel silenced, its map set
  to zero after the activation (so it passes nothing on), and the featured digit's ten
  outputs with each kernel silenced in turn.

The probe set is the test digits the export was measured on, as shipped in
`assets/mnist/` (neuron_evidence.probe_digits, shared with the MLP's evidence): all
10,000, or the first N where the export's data directory holds only those (`digits`
says how many; `probe_count` decides, so a file never claims digits it did not probe). Responses are computed
in numpy float64 (the reader's arithmetic); the knock-out counts in PyTorch float32 (as
the accuracies are), since each kernel's costs a pass of the network over 10,000 digits.

On every read (`check`, called by model/schema.py) the reader re-proves what is cheap:
each listed digit's label, response and position from the kernels and the digits' own
pixels, the order of each list, and the featured digit's outputs with each kernel
silenced. What it cannot afford on every read, it says: that no other test digit beats
the listed ones, and the knock-out counts (a pass of the network over the 10,000 test
digits per kernel, seconds to minutes) are measured at export, like the accuracies, and
tested against independent computations (tests/test_kernel_evidence.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import conv_formula, limits, mnist
from .checked import expect as _expect
from .conv_schema import INPUT_SHAPE
from .errors import UserError
from .neuron_evidence import TOP_DIGITS, probe_digits, top_digits
from .shapes import CLASSES
from .threads import one_thread

KEY = "kernel_evidence"          # its top-level key in the export
PROBE = "mnist-test"
RESPONSE = "the largest value anywhere in the kernel's map, after its activation"
SILENCED = "the kernel's map set to zero after its activation"
TOLERANCE = 1e-5                 # relative to max(1, |value|): the file rounds to 8 digits
CHUNK = 500                      # test digits through the first convolution at a time (float64)
KERNEL_GROUP = 64                # kernels whose listed digits are recomputed at a time on read
KNOCKOUT_VALUES = 8_000_000      # values of the layer after the maps held at once (float32: 32 MB), whole digits
KNOCKOUT_BATCH = 1000            # test digits through the network at a time at most (float32)


# ---------------------------------------------------------------------------------------
# The definitions, shared by the exporter and the reader.

def kernel_layers(layers) -> tuple[int, int] | None:
    """(the first convolution's index, the index of the layer whose output is its kernels'
    maps) in the layer list; None for a network without a convolution."""
    first = next((i for i, layer in enumerate(layers) if isinstance(layer, conv_formula.Conv2d)), None)
    if first is None:
        return None
    follows = layers[first + 1] if first + 1 < len(layers) - 1 else None
    return first, first + 1 if isinstance(follows, conv_formula.Act) else first


def _maps(layers, map_layer: int, pixels: np.ndarray) -> np.ndarray:
    """The kernels' maps [N, K, H, W] of digits [N, 784], float64."""
    x = np.asarray(pixels, dtype=np.float64).reshape(len(pixels), *INPUT_SHAPE)
    for layer in layers[:map_layer + 1]:
        x = conv_formula.apply(layer, x)
    return x


def all_responses(layers, map_layer: int, pixels: np.ndarray) -> np.ndarray:
    """[N, K]: each digit's response (its map's largest value) for every kernel."""
    return np.concatenate([_maps(layers, map_layer, pixels[start:start + CHUNK]).max(axis=(2, 3))
                           for start in range(0, len(pixels), CHUNK)])


def listed_responses(layers, first: int, map_layer: int, pixels: np.ndarray, tops: np.ndarray):
    """(responses [K, n], positions [K, n, 2]) of kernel k on digits tops[k]: each kernel's
    own channel only, on its own digits (the reader's cost: K·n small maps, not 10,000)."""
    conv = layers[first]
    weight = np.asarray(conv.weight, dtype=np.float64)
    kh, kw = weight.shape[2:]
    values, positions = [], []
    for start in range(0, len(tops), KERNEL_GROUP):
        group = np.arange(start, min(start + KERNEL_GROUP, len(tops)))
        x = pixels[tops[group]].reshape(-1, *INPUT_SHAPE)                               # [g·n, 1, 28, 28]
        for layer in layers[:first]:  # a pooling before the first convolution, if any
            x = conv_formula.apply(layer, x)
        padded = conv_formula._padded(x, conv_formula.pair(conv.padding), 0.0)
        windows = conv_formula._windows(padded, (kh, kw), conv_formula.pair(conv.stride))  # [g·n, C, H, W, kh, kw]
        windows = windows.reshape(len(group), tops.shape[1], *windows.shape[1:])
        maps = np.einsum("gncijuv,gcuv->gnij", windows, weight[group]) + conv.bias[group][:, None, None, None]
        if map_layer != first:
            maps = conv_formula.apply(layers[map_layer], maps)
        flat = maps.reshape(*maps.shape[:2], -1)
        best = flat.argmax(axis=2)
        values.append(np.take_along_axis(flat, best[..., None], axis=2)[..., 0])
        positions.append(np.stack(np.unravel_index(best, maps.shape[2:]), axis=-1))
    return np.concatenate(values), np.concatenate(positions)


def linear_after(layers, map_layer: int) -> int | None:
    """The index of the first convolution or dense layer after the maps, if only poolings
    (and a flatten before a dense layer) lie between: a zeroed map stays zero through
    those, so silencing a kernel changes that layer's output by exactly minus the kernel's
    own part of it. None when something else comes first (then the rest runs whole)."""
    at = map_layer + 1
    while at < len(layers) and isinstance(layers[at], conv_formula.Pool):
        at += 1
    if at < len(layers) and isinstance(layers[at], conv_formula.Conv2d):
        return at
    if at + 1 < len(layers) and isinstance(layers[at], conv_formula.Flatten) and isinstance(layers[at + 1], conv_formula.Dense):
        return at + 1
    return None


def silenced_outputs(layers, map_layer: int, pixels: np.ndarray) -> np.ndarray:
    """[K, 10]: a digit's outputs with each kernel silenced in turn (its map zeroed), float64:
    the layer after the maps computed once, each kernel's own part of it taken away."""
    x = _maps(layers, map_layer, np.asarray(pixels, dtype=np.float64)[None, :])
    kernels, linear = x.shape[1], linear_after(layers, map_layer)
    if linear is None:
        x = np.repeat(x, kernels, axis=0)
        x[np.arange(kernels), np.arange(kernels)] = 0.0
        start = map_layer + 1
    else:
        for layer in layers[map_layer + 1:linear]:
            if isinstance(layer, conv_formula.Pool):
                x = conv_formula.apply(layer, x)
        layer = layers[linear]
        whole = conv_formula.apply(layer, x if isinstance(layer, conv_formula.Conv2d) else x.reshape(1, -1))  # [1, O, ...]
        weight = np.asarray(layer.weight, dtype=np.float64)
        if isinstance(layer, conv_formula.Conv2d):
            windows = conv_formula._windows(conv_formula._padded(x, conv_formula.pair(layer.padding), 0.0),
                                            weight.shape[2:], conv_formula.pair(layer.stride))[0]  # [K, H, W, kh, kw]
            height, width = windows.shape[1:3]
            rows = windows.reshape(kernels, height * width, -1)                   # each kernel's windows
            columns = weight.reshape(len(weight), kernels, -1).transpose(1, 2, 0)  # [K, kh·kw, O]
            parts = (rows @ columns).transpose(0, 2, 1).reshape(kernels, len(weight), height, width)
        else:
            parts = np.einsum("oka,ka->ko", weight.reshape(len(weight), kernels, -1), x.reshape(kernels, -1))
        x, start = whole - parts, linear + 1
    for layer in layers[start:]:
        x = conv_formula.apply(layer, x)
    return x


def knockout_correct(layers, map_layer: int, pixels: np.ndarray, labels: np.ndarray) -> tuple[int, list[int]]:
    """(test digits right intact, right with each kernel silenced), in torch float32, the
    layer after the maps computed once and each kernel's part taken away (linear_after)."""
    import torch
    import torch.nn.functional as F

    from .conv_export import torch_module

    module = torch_module(layers).eval()
    linear = linear_after(layers, map_layer)
    head = module[:map_layer + 1]
    between = module[map_layer + 1:linear] if linear is not None else None   # poolings (and a flatten)
    rest = module[linear + 1:] if linear is not None else module[map_layer + 1:]
    shapes = [INPUT_SHAPE]
    for layer in layers[:(linear if linear is not None else map_layer) + 1]:
        shapes.append(conv_formula.output_shape(layer, shapes[-1]))
    batch = int(np.clip(KNOCKOUT_VALUES // int(np.prod(shapes[-1])), 1, KNOCKOUT_BATCH))
    intact, correct = 0, None
    with torch.inference_mode():
        for start in range(0, len(pixels), batch):
            x = torch.from_numpy(np.array(pixels[start:start + batch], dtype=np.float32))
            y = torch.from_numpy(np.array(labels[start:start + batch], dtype=np.int64))
            maps = head(x.reshape(-1, *INPUT_SHAPE))
            kernels = maps.shape[1]
            correct = correct if correct is not None else [0] * kernels
            if linear is None:  # no shortcut: the whole rest of the network once per kernel
                intact += int((rest(maps).argmax(1) == y).sum())
                for k in range(kernels):
                    silenced = maps.clone()
                    silenced[:, k] = 0
                    correct[k] += int((rest(silenced).argmax(1) == y).sum())
                continue
            pooled = maps
            for step in between:
                pooled = step(pooled) if not isinstance(step, torch.nn.Flatten) else pooled
            layer = module[linear]
            conv = isinstance(layer, torch.nn.Conv2d)
            z = layer(pooled if conv else pooled.flatten(1))
            intact += int((rest(z).argmax(1) == y).sum())
            if conv:  # every window of every map once; a kernel's part is its rows of them
                # channels last: [B, H, W, O] in memory, where torch's pooling is several times faster
                z = z.contiguous(memory_format=torch.channels_last)
                side = layer.kernel_size[0] * layer.kernel_size[1]
                (kh, kw), (sh, sw), (ph, pw) = layer.kernel_size, layer.stride, layer.padding
                # a view of every window [B, K, H, W, kh, kw] (F.unfold copies, and slowly)
                windows = F.pad(pooled, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
                weight = layer.weight.reshape(len(layer.weight), kernels, side)
                count, outs, height, width = z.shape
            else:
                area = pooled.shape[2] * pooled.shape[3]
            silenced = torch.empty_like(z)
            for k in range(kernels):
                if conv:
                    part = windows[:, k].reshape(count, height * width, side) @ weight[:, k].T   # [B, H·W, O]
                    part = part.reshape(count, height, width, outs).permute(0, 3, 1, 2)
                else:
                    part = pooled[:, k].flatten(1) @ layer.weight[:, k * area:(k + 1) * area].T
                torch.sub(z, part, out=silenced)
                correct[k] += int((rest(silenced).argmax(1) == y).sum())
    return intact, correct


# ---------------------------------------------------------------------------------------
# The exporter's side.

def probe_count(test_images, test_labels) -> int:
    """How many shipped test digits to probe for an export measured on this test set: N
    when it is exactly the first N shipped test digits (a smaller data directory, as the
    tests' exports use: a pass per kernel over 10,000 digits takes seconds to minutes),
    else all of them."""
    images, labels = mnist.idx_arrays("test")
    count = len(test_labels)
    if 0 < count < len(labels) and np.array_equal(np.asarray(test_images), images[:count]) \
            and np.array_equal(np.asarray(test_labels), labels[:count]):
        return count
    return len(labels)


def compute(layers, example: dict, example_pixels: np.ndarray, rounded, digits: int | None = None) -> dict | None:
    """The export's `kernel_evidence` section for `layers` (rounded as the file holds them),
    the knock-outs shown on `example` (its id), probing the first `digits` shipped test
    digits (all by default); None for a network without a convolution."""
    found = kernel_layers(layers)
    if found is None:
        return None
    first, map_layer = found
    pixels, labels = probe_digits()
    pixels, labels = pixels[:digits], labels[:digits]
    tops = top_digits(all_responses(layers, map_layer, pixels), TOP_DIGITS)      # [K, TOP_DIGITS]
    with one_thread():  # small products: on a busy machine one thread is several times faster (threads.py)
        values, positions = listed_responses(layers, first, map_layer, pixels, tops)
        silenced = silenced_outputs(layers, map_layer, example_pixels)
    intact, correct = knockout_correct(layers, map_layer, pixels, labels)   # 10,000 digits at once: every thread
    return {
        "probe": PROBE,
        "digits": len(labels),
        "layer": first,
        "map_layer": map_layer,
        "response": RESPONSE,
        "silenced": SILENCED,
        "intact_correct": intact,
        "kernels": list(range(len(tops))),
        "top_digits": tops.tolist(),
        "top_labels": labels[tops].tolist(),
        "top_activations": rounded(values).tolist(),
        "top_positions": positions.tolist(),
        "knockout_correct": correct,
        "knockout_example": {"id": example, "outputs": rounded(silenced).tolist()},
    }


# ---------------------------------------------------------------------------------------
# The reader's side: typed, and re-proved.

@dataclass(frozen=True)
class KernelEvidence:
    layer: int                       # the first convolution's index in the network's layer list
    map_layer: int                   # the layer whose output is the kernels' maps
    digits: int                      # test digits probed
    intact_correct: int              # of them right, the network intact (measured at export)
    kernels: list[int]               # 0 .. K-1: every output channel of the first convolution
    top_digits: np.ndarray           # [K, TOP_DIGITS] MNIST test indices, strongest response first
    top_labels: np.ndarray           # their labels (checked against MNIST)
    top_activations: np.ndarray      # their responses: each map's largest value (re-proved)
    top_positions: np.ndarray        # [K, TOP_DIGITS, 2]: where in the map (row, column)
    top_pixels: np.ndarray           # [K, TOP_DIGITS, 784] their pixels (from MNIST)
    knockout_correct: np.ndarray     # [K] test digits right with the kernel silenced (measured at export)
    example_id: str                  # the digit the knock-outs are shown on
    knocked_outputs: np.ndarray      # [K, 10] its outputs with each kernel silenced (re-proved)

    def purity(self, kernel: int) -> tuple[int, int]:
        """(the most common label among its top digits, how many carry it); ties to the smaller."""
        counts = np.bincount(self.top_labels[kernel], minlength=CLASSES)
        return int(np.argmax(counts)), int(counts.max())

    def knockout_accuracy(self, kernel: int) -> float:
        return float(self.knockout_correct[kernel]) / self.digits


KNOWN_KEYS = {"probe", "digits", "layer", "map_layer", "response", "silenced", "intact_correct", "kernels",
              "top_digits", "top_labels", "top_activations", "top_positions", "knockout_correct", "knockout_example"}


def _fail(message: str) -> None:
    raise UserError(f"{KEY}: {message}")


def _ints(value, shape: tuple, what: str, low: int, high: int) -> np.ndarray:
    """A nested list of exactly `shape` integers in [low, high]; the shape checked (capped by
    the network's) before the list is turned into an array."""
    array = _nested(value, shape, what)
    _expect(all(type(v) is int for v in array.flat), f"{KEY}: {what} must hold integers")
    array = array.astype(np.int64)
    _expect(array.size == 0 or (array.min() >= low and array.max() <= high), f"{KEY}: {what} must lie in {low}-{high}")
    return array


def _floats(value, shape: tuple, what: str) -> np.ndarray:
    array = _nested(value, shape, what)
    _expect(all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in array.flat),
            f"{KEY}: {what} must hold numbers")
    array = array.astype(np.float64)
    _expect(bool(np.isfinite(array).all()), f"{KEY}: {what} holds NaN or infinite values")
    return array


def _nested(value, shape: tuple, what: str) -> np.ndarray:
    def fits(v, dims):
        return not dims or (isinstance(v, list) and len(v) == dims[0] and all(fits(x, dims[1:]) for x in v))

    _expect(fits(value, shape), f"{KEY}: {what} is not {'x'.join(map(str, shape))} values")
    return np.array(value, dtype=object).reshape(shape)


@one_thread()
def check(section, network, examples) -> KernelEvidence | None:
    """Re-prove a `kernel_evidence` section against the network and the shipped MNIST test
    digits (module docstring: what is recomputed); None when the export has none."""
    if section is None:
        return None
    _expect(isinstance(section, dict), f"{KEY} is not an object")
    _expect(set(section) <= KNOWN_KEYS, f"{KEY} has unknown keys {sorted(set(section) - KNOWN_KEYS)}")
    found = kernel_layers(network.layers)
    _expect(found is not None, f"{KEY}: the network has no convolution")
    first, map_layer = found
    pixels, labels = probe_digits()
    digits = section.get("digits")
    _expect(section.get("probe") == PROBE and type(digits) is int and TOP_DIGITS <= digits <= len(labels),
            f"{KEY}: probe is not the first {TOP_DIGITS}-{len(labels):,} MNIST test digits")
    pixels, labels = pixels[:digits], labels[:digits]
    _expect(section.get("layer") == first and section.get("map_layer") == map_layer,
            f"{KEY}: layer and map_layer must be {first} and {map_layer} ({network.describe(first)} and its maps)")
    _expect(section.get("response") == RESPONSE and section.get("silenced") == SILENCED,
            f"{KEY}: response and silenced must say {RESPONSE!r} and {SILENCED!r}")
    kernel_count = network.layers[first].weight.shape[0]  # capped (limits.MAX_CHANNELS) by the network's reader
    _expect(section.get("kernels") == list(range(kernel_count)), f"{KEY}: kernels must be 0-{kernel_count - 1}")
    intact = section.get("intact_correct")
    _expect(type(intact) is int and 0 <= intact <= digits, f"{KEY}: intact_correct must be a count of 0-{digits}")
    shape = (kernel_count, TOP_DIGITS)
    tops = _ints(section.get("top_digits"), shape, "top_digits", 0, digits - 1)
    for kernel, row in enumerate(tops):
        _expect(len(set(row.tolist())) == len(row), f"{KEY}: top_digits[{kernel}] lists a digit twice")
    given_labels = _ints(section.get("top_labels"), shape, "top_labels", 0, CLASSES - 1)
    given_values = _floats(section.get("top_activations"), shape, "top_activations")
    given_positions = _ints(section.get("top_positions"), (*shape, 2), "top_positions", 0, limits.MAX_MAP_SIDE)
    correct = _ints(section.get("knockout_correct"), (kernel_count,), "knockout_correct", 0, digits)

    values, positions = listed_responses(network.layers, first, map_layer, pixels, tops)
    side = network.shapes[map_layer + 1][1:]
    for kernel in range(kernel_count):
        where = f"{KEY}.top_digits[{kernel}] (kernel {kernel})"
        for rank in range(TOP_DIGITS):
            digit = int(tops[kernel, rank])
            if given_labels[kernel, rank] != labels[digit]:
                _fail(f"top_labels[{kernel}][{rank}] (kernel {kernel}, test digit {digit}) is "
                      f"{given_labels[kernel, rank]}, but MNIST labels it {labels[digit]}")
            ours = values[kernel, rank]
            if abs(given_values[kernel, rank] - ours) > TOLERANCE * max(1.0, abs(ours)):
                _fail(f"top_activations[{kernel}][{rank}] (kernel {kernel}, test digit {digit}) is "
                      f"{given_values[kernel, rank]:.8g} in the file, but the kernel gives {ours:.8g}; "
                      "the file's numbers were not produced by its network")
            row, column = given_positions[kernel, rank]
            if row >= side[0] or column >= side[1]:
                _fail(f"top_positions[{kernel}][{rank}] (kernel {kernel}) lies outside its {side[0]}x{side[1]} map")
            if (row, column) != tuple(positions[kernel, rank]):
                at = _response_at(network.layers, first, map_layer, pixels[digit], kernel, row, column)
                if at < ours - TOLERANCE * max(1.0, abs(ours)):
                    _fail(f"top_positions[{kernel}][{rank}] (kernel {kernel}, test digit {digit}) is row {row}, "
                          f"column {column}, where the map holds {at:.8g}; its largest, {ours:.8g}, is at row "
                          f"{positions[kernel, rank][0]}, column {positions[kernel, rank][1]}")
            if rank and ours > values[kernel, rank - 1] + TOLERANCE * max(1.0, abs(ours)):
                _fail(f"{where.split('.', 1)[1]} are not in order: test digit {digit} (rank {rank + 1}) responds "
                      f"{ours:.8g}, more than the one before it ({values[kernel, rank - 1]:.8g})")

    knocked = section.get("knockout_example")
    _expect(isinstance(knocked, dict) and set(knocked) == {"id", "outputs"}, f"{KEY}: knockout_example must be {{id, outputs}}")
    example = next((e for e in examples if e.id == knocked["id"]), None)
    _expect(example is not None, f"{KEY}: knockout_example.id {knocked['id']!r} is not an example of the export")
    outputs = _floats(knocked["outputs"], (kernel_count, CLASSES), "knockout_example.outputs")
    ours = silenced_outputs(network.layers, map_layer, example.pixels)
    error = np.abs(outputs - ours) - TOLERANCE * np.maximum(1.0, np.abs(ours))
    if (error > 0).any():
        kernel, output = np.unravel_index(int(np.argmax(error)), error.shape)
        _fail(f"knockout_example.outputs[{kernel}][{output}] (kernel {kernel} silenced, example {example.id}, output "
              f"{output}) is {outputs[kernel, output]:.8g} in the file, but the network gives {ours[kernel, output]:.8g}; "
              "the file's numbers were not produced by its network")
    return KernelEvidence(first, map_layer, digits, intact, list(range(kernel_count)), tops, given_labels, values,
                          given_positions, pixels[tops], correct, example.id, ours)


def _response_at(layers, first: int, map_layer: int, pixels: np.ndarray, kernel: int, row: int, column: int) -> float:
    maps = _maps(layers, map_layer, pixels[None, :])
    return float(maps[0, kernel, row, column])
