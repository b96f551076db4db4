"""Backpropagation in numpy float64, and the check of the export's `gradients` section.

Training minimises cross-entropy on the output layer's z (model/train.py): the cost of
one digit is C = -log softmax(z_L)[label], with no σ in it, though the screen draws the
output neurons as σ(z_L). Its gradient, layer by layer backwards, is the chain rule
and nothing else:

    dC/dz_L = softmax(z_L) - onehot(label)
    dC/da_l = W_{l+1}^T dC/dz_{l+1}                (the wanted change of a hidden layer)
    dC/dz_l = dC/da_l * f'(z_l)                    (f: the hidden activation)
    dC/dW_l = dC/dz_l a_{l-1}^T,   dC/db_l = dC/dz_l

The exporter computes these with torch autograd (model/gradients.py); `check_section`
computes them again here from the file's own W, b, pixels and labels on every read
(`model.schema.parse` calls it) and refuses a file whose numbers differ by more than
GRADIENT_TOLERANCE, as the reader does for activations. It needs no torch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import checked, formula
from .checked import expect as _expect
from .activations import activation
from .errors import UserError
from .shapes import CLASSES, PIXELS
from .threads import one_thread

KEY = "gradients"           # the export's top-level key for this section
# Exported numbers carry eight significant digits; both sides compute in float64 from the
# same rounded W, b and pixels. A number may differ from the recomputation by this much of
# the largest magnitude in its vector (and the costs by this much of themselves): 100x
# the rounding, far below any change a viewer could see.
GRADIENT_TOLERANCE = 1e-6
# The smallest scale a value is compared at: dC/dz = p - y of a digit answered with near
# certainty is a cancellation (1 - 5e-12), off by float64's 1e-16 however small it is, so
# autograd's and numpy's differ by 2e-16 there (measured: -4.9160676e-12 against -4.9162896e-12).
SMALLEST_SCALE = 1e-9
LARGEST = 8                 # how many of the largest gradient components the file lists
MAX_BATCH = 64              # a mini-batch of at most this many digits (pixels are in the file)
MAX_SPAN = 41               # the cost surface's grid: at most this many points a side
MAX_PATH = 64               # the ball's steps


def costs(z_last: np.ndarray, labels) -> np.ndarray:
    """Cross-entropy of softmax(z) against each label: [N] for z [N, 10] (or [10] -> scalar)."""
    z = np.atleast_2d(np.asarray(z_last, dtype=np.float64))
    labels = np.atleast_1d(np.asarray(labels))
    top = z.max(axis=1, keepdims=True)
    log_total = np.log(np.exp(z - top).sum(axis=1)) + top[:, 0]
    result = log_total - z[np.arange(len(z)), labels]
    return result if np.ndim(z_last) == 2 else float(result[0])


@dataclass(frozen=True)
class Backward:
    """One backward pass over N digits: every layer's values and the cost's derivatives."""
    costs: np.ndarray        # [N]
    zs: list                 # [N, n_l] per non-input layer
    activations: list        # [N, n_l] per layer, activations[0] the pixels
    dz: list                 # dC/dz per non-input layer, [N, n_l]: each digit's own
    da: list                 # dC/da per hidden layer, [N, n_l]

    def weight_gradient(self, layer: int, rows=None) -> np.ndarray:
        """The mean over the N digits of dC/dW for `layer` (optionally only some rows)."""
        dz = self.dz[layer] if rows is None else self.dz[layer][:, rows]
        return dz.T @ self.activations[layer] / len(dz)

    def bias_gradient(self, layer: int) -> np.ndarray:
        return self.dz[layer].mean(axis=0)

    def flat(self) -> np.ndarray:
        """The whole mean gradient as one vector, layer by layer: W (row-major), then b."""
        return np.concatenate([part for layer in range(len(self.dz))
                               for part in (self.weight_gradient(layer).ravel(), self.bias_gradient(layer))])


def backward(weights, biases, hidden_activation: str, output_activation: str,
             pixels: np.ndarray, labels) -> Backward:
    """The cost of each digit and its gradient, by the chain rule (see the module's docstring)."""
    pixels = np.atleast_2d(np.asarray(pixels, dtype=np.float64))
    labels = np.atleast_1d(np.asarray(labels, dtype=np.int64))
    zs, acts = formula.forward(weights, biases, hidden_activation, output_activation, pixels)
    top = zs[-1].max(axis=1, keepdims=True)
    soft = np.exp(zs[-1] - top)
    soft /= soft.sum(axis=1, keepdims=True)
    delta = soft
    delta[np.arange(len(labels)), labels] -= 1.0
    hidden = activation(hidden_activation)
    dz, da = [delta], []
    for layer in range(len(weights) - 1, 0, -1):
        wanted = dz[0] @ np.asarray(weights[layer], dtype=np.float64)
        da.insert(0, wanted)
        dz.insert(0, wanted * hidden.derivative(zs[layer - 1]))
    return Backward(costs(zs[-1], labels), zs, acts, dz, da)


def flat_parameters(weights, biases) -> np.ndarray:
    """W (row-major) then b, layer by layer: the order of Backward.flat."""
    return np.concatenate([part for w, b in zip(weights, biases) for part in (np.ravel(w), np.ravel(b))])


def unflatten(vector: np.ndarray, sizes) -> tuple[list, list]:
    """The inverse of flat_parameters for a network of these sizes."""
    weights, biases, at = [], [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights.append(vector[at:at + n_in * n_out].reshape(n_out, n_in))
        at += n_in * n_out
        biases.append(vector[at:at + n_out])
        at += n_out
    return weights, biases


def largest_components(grad: Backward, sizes, count: int = LARGEST) -> list[dict]:
    """The `count` largest components of the mean gradient by magnitude (ties: the
    earlier in flat order), each named by layer, row and column (None: a bias)."""
    flat = grad.flat()
    order = np.argsort(-np.abs(flat), kind="stable")[:count]
    starts, at = [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        starts.append(at)
        at += n_out * (n_in + 1)
    found = []
    for position in order:
        layer = int(np.searchsorted(starts, position, side="right") - 1)
        offset = int(position - starts[layer])
        n_in, n_out = sizes[layer], sizes[layer + 1]
        row, column = (offset // n_in, offset % n_in) if offset < n_in * n_out else (offset - n_in * n_out, None)
        found.append({"layer": layer, "row": row, "column": column, "value": float(flat[position])})
    return found


def surface_point(weights, biases, directions, s: float, t: float) -> tuple[list, list]:
    """θ + s u + t v: the network at one point of the cost surface's slice."""
    (uw, ub), (vw, vb) = directions
    return ([w + s * a + t * c for w, a, c in zip(weights, uw, vw)],
            [b + s * a + t * c for b, a, c in zip(biases, ub, vb)])


def surface_directions(grad_batch: Backward, grad_digit: Backward, sizes):
    """u: the mini-batch's gradient, as a unit vector (so -u is downhill); v: the digit's
    gradient with its part along u taken out, as a unit vector. Both real, both unit, at
    right angles: the slice's two axes are in the same units as the parameters."""
    # Element-wise sums, not BLAS dot products: on a busy machine waking BLAS's threads for
    # two 13,002-long vectors cost 10 ms a call, more than the whole check.
    u = grad_batch.flat()
    u = u / np.sqrt(np.sum(u * u))
    v = grad_digit.flat()
    v = v - np.sum(v * u) * u
    norm = np.sqrt(np.sum(v * v))
    v = v / norm if norm > 0 else np.zeros_like(v)
    return unflatten(u, sizes), unflatten(v, sizes), u, v


@dataclass(frozen=True)
class Gradients:
    """The verified `gradients` section: what chapter two draws."""
    digit_id: str
    digit: Backward          # the featured digit's pass, backwards (N = 1)
    batch_indices: list
    batch_labels: np.ndarray
    batch_pixels: np.ndarray
    batch: Backward          # the mini-batch's
    batch_largest: list      # of dicts: layer, row, column (None: bias), value
    digit_largest: list
    learning_rate: float
    cost_after_step: float   # the mini-batch's mean cost after one plain step θ - η g
    span: np.ndarray         # the slice's s and t values
    surface: np.ndarray      # [len(span), len(span)]: cost at θ + s u + t v, rows t, columns s
    path: np.ndarray         # [K, 3]: the ball's s, t and cost, step by step
    path_rate: float
    test_costs: list         # of dicts: epoch, cost, accuracy (measured at export on the test set)
    history: list            # of dicts: epoch, loss (as recorded during training)

    @property
    def parameter_count(self) -> int:
        return int(self.digit.flat().size)


@one_thread()  # as gradients.section: many products of 16 rows (model/threads.py)
def check_section(section, network, examples) -> Gradients | None:
    """Recompute every gradient, cost and surface value of the section from the file's
    W, b, pixels and labels; refuse the file if any differs (one UserError naming it)."""
    if section is None:
        return None
    _expect(isinstance(section, dict), f"{KEY} is not an object")
    sizes, w, b = network.sizes, network.weights, network.biases
    acts = (network.hidden_activation, network.output_activation)

    digit = _field(section, "digit", dict)
    digit_id = _field(digit, "id", str, "digit.")
    matches = [e for e in examples if e.id == digit_id]
    _expect(matches and matches[0].label is not None, f"{KEY}.digit.id {digit_id!r} is not a labelled example of the file")
    example = matches[0]
    ours = backward(w, b, *acts, example.pixels, [example.label])
    _close(_number(digit, "cost", "digit."), ours.costs[0], "digit.cost")
    _vectors(digit, "dz", [d[0] for d in ours.dz], "digit.dz")
    _vectors(digit, "da", [d[0] for d in ours.da], "digit.da")
    digit_largest = _largest(digit, ours, sizes, "digit.largest")

    batch = _field(section, "batch", dict)
    indices = _field(batch, "indices", list, "batch.")
    _expect(1 <= len(indices) <= MAX_BATCH and all(isinstance(i, int) and i >= 0 for i in indices),
            f"{KEY}.batch.indices must list 1-{MAX_BATCH} training image indices")
    labels = _array(batch.get("labels"), (len(indices),), "batch.labels")
    _expect(np.all((labels == np.round(labels)) & (labels >= 0) & (labels < CLASSES)), f"{KEY}.batch.labels must be digits 0-9")
    labels = labels.astype(np.int64)
    pixels = _array(batch.get("pixels"), (len(indices), PIXELS), "batch.pixels")
    _expect(pixels.min() >= 0 and pixels.max() <= 1, f"{KEY}.batch.pixels must lie in [0, 1]")
    grad = backward(w, b, *acts, pixels, labels)
    _close_array(_array(batch.get("costs"), grad.costs.shape, "batch.costs"), grad.costs, "batch.costs")
    _close(_number(batch, "cost", "batch."), grad.costs.mean(), "batch.cost")
    _vectors(batch, "output_dz", list(grad.dz[-1]), "batch.output_dz")
    _vectors(batch, "bias_gradient", [grad.bias_gradient(layer) for layer in range(len(w))], "batch.bias_gradient")
    batch_largest = _largest(batch, grad, sizes, "batch.largest")
    rate = _number(batch, "learning_rate", "batch.")
    stepped_w, stepped_b = unflatten(flat_parameters(w, b) - rate * grad.flat(), sizes)
    after = costs(formula.forward(stepped_w, stepped_b, *acts, pixels)[0][-1], labels).mean()
    _close(_number(batch, "cost_after_step", "batch."), after, "batch.cost_after_step")

    surface = _field(section, "surface", dict)
    span = _field(surface, "span", list, "surface.")
    _expect(2 <= len(span) <= MAX_SPAN, f"{KEY}.surface.span must hold 2-{MAX_SPAN} values")
    span = _array(span, (len(span),), "surface.span")
    directions = surface_directions(grad, ours, sizes)[:2]
    s_grid, t_grid = np.meshgrid(span, span)  # rows t, columns s
    grid = surface_costs(w, b, acts, directions, s_grid.ravel(), t_grid.ravel(), pixels, labels).reshape(s_grid.shape)
    theirs = _array(surface.get("cost"), grid.shape, "surface.cost")
    _close_array(theirs, grid, "surface.cost")
    path_rate = _number(surface, "rate", "surface.")
    path = _field(surface, "path", list, "surface.")
    _expect(1 <= len(path) <= MAX_PATH, f"{KEY}.surface.path must hold 1-{MAX_PATH} steps")
    path = _array(path, (len(path), 3), "surface.path")
    _close_array(path, slice_descent(w, b, acts, directions, path[0, :2], path_rate, len(path), pixels, labels),
                 "surface.path")

    test_costs = _field(section, "test_costs", list)
    for i, entry in enumerate(test_costs):
        _expect(isinstance(entry, dict) and isinstance(entry.get("epoch"), int)
                and all(isinstance(entry.get(k), (int, float)) for k in ("cost", "accuracy")),
                f"{KEY}.test_costs[{i}] needs an integer epoch, a cost and an accuracy")
    history = _field(section, "history", list)
    for i, entry in enumerate(history):
        _expect(isinstance(entry, dict) and isinstance(entry.get("epoch"), int) and isinstance(entry.get("loss"), (int, float)),
                f"{KEY}.history[{i}] needs an integer epoch and a loss")
    return Gradients(digit_id, ours, indices, labels, pixels, grad, batch_largest, digit_largest, rate, float(after),
                     span, grid, path, path_rate, test_costs, history)


def surface_costs(weights, biases, activations, directions, s, t, pixels, labels) -> np.ndarray:
    """The mini-batch's mean cost at θ + s u + t v for G points at once (s, t: [G]).

    (W + s U + t V) a = W a + s (U a) + t (V a): three products per layer for all the
    points together, and for the first layer, whose input is the same pixels at every
    point, three products in all: the whole grid costs a few single passes."""
    (uw, ub), (vw, vb) = directions
    hidden, output = (activation(name) for name in activations)
    s, t = np.asarray(s, dtype=np.float64)[:, None, None], np.asarray(t, dtype=np.float64)[:, None, None]
    a = np.asarray(pixels, dtype=np.float64)[None]          # [1 or G, N, n]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = (a @ w.T + b) + s * (a @ uw[layer].T + ub[layer]) + t * (a @ vw[layer].T + vb[layer])
        a = (output if layer == len(weights) - 1 else hidden)(z)
    count = z.shape[1]
    return costs(z.reshape(-1, z.shape[-1]), np.tile(labels, len(z))).reshape(len(z), count).mean(axis=1)


def surface_cost(weights, biases, activations, directions, s, t, pixels, labels) -> float:
    """The mini-batch's mean cost at one point θ + s u + t v."""
    return float(surface_costs(weights, biases, activations, directions, [s], [t], pixels, labels)[0])


def slice_descent(weights, biases, activations, directions, start, rate, steps, pixels, labels) -> np.ndarray:
    """Gradient descent on the slice: from (s, t), step by -rate times the real gradient's
    components along u and v (the slope of the surface drawn), `steps` points in all."""
    s, t = float(start[0]), float(start[1])
    path = []
    for _ in range(steps):
        w, b = surface_point(weights, biases, directions, s, t)
        grad = backward(w, b, *activations, pixels, labels)
        path.append((s, t, grad.costs.mean()))
        s, t = s - rate * along(grad, directions[0]), t - rate * along(grad, directions[1])
    return np.array(path)


def along(grad: Backward, direction) -> float:
    """g · d for the mean gradient g and a direction d = (its W parts, its b parts):
    Σ over layers and digits of dC/dz · (D a_prev + d_b) / N, without forming g."""
    dw, db = direction
    total = sum(float((dz * (a @ d.T + e)).sum()) for dz, a, d, e in zip(grad.dz, grad.activations, dw, db))
    return total / len(grad.costs)


def _largest(section: dict, grad: Backward, sizes, where: str) -> list:
    listed = _field(section, "largest", list, where.split(".")[0] + ".")
    ours = largest_components(grad, sizes, len(listed))
    _expect(1 <= len(listed) <= 64, f"{KEY}.{where} must list 1-64 components")
    for i, (theirs, mine) in enumerate(zip(listed, ours)):
        _expect(isinstance(theirs, dict) and {k: theirs.get(k) for k in ("layer", "row", "column")}
                == {k: mine[k] for k in ("layer", "row", "column")},
                f"{KEY}.{where}[{i}] names a component that is not the gradient's {i + 1}th largest")
        _close(theirs.get("value"), mine["value"], f"{where}[{i}].value", scale=abs(ours[0]["value"]))
    return ours


def _vectors(section: dict, key: str, ours: list, where: str) -> None:
    listed = section.get(key)
    _expect(isinstance(listed, list) and len(listed) == len(ours), f"{KEY}.{where} must hold {len(ours)} vectors")
    for layer, (theirs, mine) in enumerate(zip(listed, ours)):
        _close_array(_array(theirs, mine.shape, f"{where}[{layer}]"), mine, f"{where}[{layer}]")


def _close_array(theirs: np.ndarray, ours: np.ndarray, where: str) -> None:
    error = np.abs(theirs - ours)
    scale = max(float(np.abs(ours).max()), SMALLEST_SCALE)
    if error.max() > GRADIENT_TOLERANCE * scale:
        at = np.unravel_index(int(np.argmax(error)), error.shape)
        place = "".join(f"[{i}]" for i in at)
        raise UserError(f"{KEY}.{where}{place} is {theirs[at]:.8g} in the file, but the network's weights, pixels "
                        f"and labels give {ours[at]:.8g}; the file's gradients were not produced by its network")


def _close(theirs, ours: float, where: str, scale: float | None = None) -> None:
    """One number against ours, within the tolerance of itself (or of `scale`)."""
    _expect(isinstance(theirs, (int, float)) and not isinstance(theirs, bool), f"{KEY}.{where} is not a number")
    scale = abs(ours) if scale is None else scale
    _expect(abs(theirs - ours) <= GRADIENT_TOLERANCE * max(scale, SMALLEST_SCALE),
            f"{KEY}.{where} is {theirs:.8g} in the file, but the network's weights, pixels and labels give {ours:.8g}; "
            "the file's gradients were not produced by its network")


def _number(section: dict, key: str, prefix: str) -> float:
    value = section.get(key)
    _expect(isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value),
            f"{KEY}.{prefix}{key} is missing or not a number")
    return float(value)


def _field(section: dict, key: str, kind, prefix: str = ""):
    return checked.field(section, key, kind, f"{KEY}.{prefix}")


def _array(value, shape: tuple, where: str) -> np.ndarray:
    return checked.array(value, shape, f"{KEY}.{where}")
