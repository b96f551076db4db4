"""A CNN's gradient in numpy float64, and the re-proof of its export's `kernel_gradients`.

The cost is the one training minimises and chapter two draws for an MLP (model/backprop.py):
C = -log softmax(z)[label], z the last dense layer's output (the output activation drawn
on screen is not in it). Its gradient with respect to every convolution's kernels and
biases is the chain rule, layer by layer backwards through the layer list
(model/conv_formula.py), in PyTorch's own conventions:

    dC/dz           = softmax(z) - onehot(label)                   (the last dense layer)
    dense           dC/da_in = W^T dC/dz_out
    activation      dC/dz = dC/da * f'(z)                          (ReLU's slope at 0 is 0, as torch's)
    flatten         the same numbers, back in C×H×W
    max pooling     each window's gradient to its largest input (the first of equals, as torch)
    average pooling each window's gradient shared equally by its kh·kw places (padding counted)
    conv2d          dC/dw[o, c, u, v] = Σ_ij dC/dz[o, i, j] · x_padded[c, i·sh + u, j·sw + v]
                    dC/db[o] = Σ_ij dC/dz[o, i, j];  dC/dx: each window's share added back

The exporter computes the section with torch autograd (model/conv_gradients.py); `check`
computes it again here from the file's kernels, pixels and label on every read and
refuses, in one line naming the layer, kernel and weight, a number that differs by more
than GRADIENT_TOLERANCE of the largest in its layer. Needs no torch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import conv_formula
from .activations import activation
from .backprop import GRADIENT_TOLERANCE, SMALLEST_SCALE, costs
from .checked import expect as _expect, field as _field
from .conv_schema import INPUT_SHAPE, decode
from .errors import UserError
from .shapes import CLASSES
from .threads import one_thread

KEY = "kernel_gradients"   # the export's top-level key for this section
COST = "cross-entropy of softmax(z) of the last dense layer's output against the label"


@dataclass(frozen=True)
class ConvBackward:
    """One digit's cost and its gradient with respect to every convolution's kernels."""
    cost: float
    output_dz: np.ndarray    # [10]: dC/dz of the last dense layer, softmax(z) - onehot
    layers: list             # indices (in the network's layer list) of the convolutions
    weights: list            # dC/dw of each, [out_channels, in_channels, kh, kw]
    biases: list             # dC/db of each, [out_channels]

    def kernel_size(self, row: int) -> np.ndarray:
        """How much each kernel of the row-th convolution wants to change: |dC/dw| of the
        kernel, its bias included (the length of its part of the gradient)."""
        w, b = self.weights[row], self.biases[row]
        return np.sqrt((w.reshape(len(w), -1) ** 2).sum(axis=1) + b ** 2)


def conv_layers(layers) -> list[int]:
    return [i for i, layer in enumerate(layers) if isinstance(layer, conv_formula.Conv2d)]


def backward(layers, pixels, label: int) -> ConvBackward:
    """The digit's cost and every convolution's kernel and bias gradient (module docstring)."""
    outputs = conv_formula.forward(layers, np.asarray(pixels, dtype=np.float64).reshape(1, *INPUT_SHAPE))
    last = max(i for i, layer in enumerate(layers) if isinstance(layer, conv_formula.Dense))
    z = outputs[last + 1]
    cost = float(costs(z, [label])[0])
    grad = np.exp(z - z.max(axis=1, keepdims=True))
    grad /= grad.sum(axis=1, keepdims=True)
    grad[0, label] -= 1.0
    output_dz = grad[0].copy()
    convs = conv_layers(layers)
    found = {}
    for index in range(last, (convs[0] if convs else last) - 1, -1):
        layer, x = layers[index], outputs[index]
        if isinstance(layer, conv_formula.Dense):
            grad = grad @ np.asarray(layer.weight, dtype=np.float64)
        elif isinstance(layer, conv_formula.Act):
            grad = grad * activation(layer.name).derivative(x)
        elif isinstance(layer, conv_formula.Flatten):
            grad = grad.reshape(x.shape)
        elif isinstance(layer, conv_formula.Pool):
            grad = pool_backward(layer, x, grad)
        else:
            found[index] = conv2d_backward(layer, x, grad, need_input=index != convs[0])
            grad = found[index][2]
    return ConvBackward(cost, output_dz, convs, [found[i][0] for i in convs], [found[i][1] for i in convs])


def conv2d_backward(layer, x: np.ndarray, grad: np.ndarray, need_input: bool = True):
    """(dC/dw, dC/db, dC/dx or None) of one convolution, x [N, C, H, W], grad [N, O, H', W']."""
    stride, padding = conv_formula.pair(layer.stride), conv_formula.pair(layer.padding)
    weight = np.asarray(layer.weight, dtype=np.float64)
    out_channels, channels, kh, kw = weight.shape
    padded = conv_formula._padded(x, padding, 0.0)
    windows = conv_formula._windows(padded, (kh, kw), stride)        # [N, C, H', W', kh, kw]
    n, _, height, width = windows.shape[:4]
    rows = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * height * width, channels * kh * kw)
    g = grad.transpose(0, 2, 3, 1).reshape(n * height * width, out_channels)
    d_weight = (g.T @ rows).reshape(weight.shape)
    d_bias = g.sum(axis=0)
    if not need_input:
        return d_weight, d_bias, None
    shares = (g @ weight.reshape(out_channels, -1)).reshape(n, height, width, channels, kh, kw)
    d_padded = np.zeros(padded.shape)
    sh, sw = stride
    for u in range(kh):
        for v in range(kw):
            d_padded[:, :, u:u + sh * height:sh, v:v + sw * width:sw] += shares[..., u, v].transpose(0, 3, 1, 2)
    return d_weight, d_bias, _unpadded(d_padded, padding)


def pool_backward(layer, x: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """dC/dx of a max or average pooling: each window's gradient to its largest input (the
    first of equals, row by row, as torch's max_pool2d), or shared by its kh·kw places."""
    kernel, stride, padding = (conv_formula.pair(v) for v in (layer.kernel, layer.stride, layer.padding))
    (kh, kw), (sh, sw) = kernel, stride
    fill = -np.inf if layer.kind == "maxpool" else 0.0
    padded = conv_formula._padded(x, padding, fill)
    d_padded = np.zeros(padded.shape)
    height, width = grad.shape[2:]
    if layer.kind == "avgpool":
        share = grad / (kh * kw)
        for u in range(kh):
            for v in range(kw):
                d_padded[:, :, u:u + sh * height:sh, v:v + sw * width:sw] += share
        return _unpadded(d_padded, padding)
    windows = conv_formula._windows(padded, kernel, stride)          # [N, C, H', W', kh, kw]
    best = windows.reshape(*windows.shape[:4], kh * kw).argmax(axis=-1)
    n, c, i, j = np.indices(best.shape)
    np.add.at(d_padded, (n, c, i * sh + best // kw, j * sw + best % kw), grad)
    return _unpadded(d_padded, padding)


def _unpadded(x: np.ndarray, padding: tuple) -> np.ndarray:
    ph, pw = padding
    return x[:, :, ph:x.shape[2] - ph, pw:x.shape[3] - pw]


# ---------------------------------------------------------------------------------------
# The reader's side.

@dataclass(frozen=True)
class KernelGradients:
    """The verified `kernel_gradients` section: the featured digit's gradient, every kernel."""
    digit_id: str
    label: int
    digit: ConvBackward      # recomputed here; the file's numbers agree with it


@one_thread()  # one digit's small products (model/threads.py)
def check(section, network, examples) -> KernelGradients | None:
    """Recompute the section from the network and the digit's pixels and label; refuse any
    number that differs (one UserError naming where). None when the export has none."""
    if section is None:
        return None
    _expect(isinstance(section, dict), f"{KEY} is not an object")
    _expect(section.get("cost") == COST, f"{KEY}.cost must say {COST!r}")
    _expect(set(section) <= {"cost", "digit"}, f"{KEY} has unknown keys {sorted(set(section) - {'cost', 'digit'})}")
    digit = _field(section, "digit", dict, f"{KEY}.")
    digit_id = _field(digit, "id", str, f"{KEY}.digit.")
    example = next((e for e in examples if e.id == digit_id), None)
    _expect(example is not None and example.label is not None,
            f"{KEY}.digit.id {digit_id!r} is not a labelled example of the file")
    _expect(set(digit) <= {"id", "cost", "output_dz", "kernels"}, f"{KEY}.digit has unknown keys")
    convs = conv_layers(network.layers)
    listed = _field(digit, "kernels", list, f"{KEY}.digit.")
    _expect(len(listed) == len(convs), f"{KEY}.digit.kernels must hold one entry per convolution ({len(convs)})")
    # the shapes come from the checked (capped) network: nothing is allocated from the file's word
    theirs = []
    for row, (index, entry) in enumerate(zip(convs, listed)):
        where = f"{KEY}.digit.kernels[{row}]"
        _expect(isinstance(entry, dict) and set(entry) == {"layer", "weight", "bias"} and entry["layer"] == index,
                f"{where} must be {{layer: {index}, weight, bias}} ({network.describe(index)})")
        weight = network.layers[index].weight
        theirs.append((decode(entry["weight"], weight.shape, f"{where}.weight"),
                       decode(entry["bias"], (len(weight),), f"{where}.bias")))
    ours = backward(network.layers, example.pixels, example.label)
    cost = digit.get("cost")
    _expect(isinstance(cost, (int, float)) and not isinstance(cost, bool)
            and abs(cost - ours.cost) <= GRADIENT_TOLERANCE * max(abs(ours.cost), SMALLEST_SCALE),
            f"{KEY}.digit.cost is {cost!r} in the file, but the network, pixels and label give {ours.cost:.8g}")
    output_dz = digit.get("output_dz")
    _expect(isinstance(output_dz, list) and len(output_dz) == CLASSES
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in output_dz),
            f"{KEY}.digit.output_dz must hold {CLASSES} numbers")
    _close(np.array(output_dz, dtype=np.float64), ours.output_dz, f"{KEY}.digit.output_dz", "output")
    for row, (index, (weight, bias)) in enumerate(zip(convs, theirs)):
        scale = max(float(np.abs(ours.weights[row]).max()), float(np.abs(ours.biases[row]).max()))
        where = f"{KEY}.digit.kernels[{row}] ({network.describe(index)})"
        _close(weight, ours.weights[row], where, "weight", scale)
        _close(bias, ours.biases[row], where, "bias", scale)
    return KernelGradients(digit_id, int(example.label), ours)


def _close(theirs: np.ndarray, ours: np.ndarray, where: str, what: str, scale: float | None = None) -> None:
    error = np.abs(theirs - ours)
    scale = max(float(np.abs(ours).max()) if scale is None else scale, SMALLEST_SCALE)
    if error.max() > GRADIENT_TOLERANCE * scale:
        at = np.unravel_index(int(np.argmax(error)), error.shape)
        if what == "weight":
            place = f"kernel {at[0]}, weight [{at[1]}, {at[2]}, {at[3]}] (input channel, row, column)"
        elif what == "bias":
            place = f"kernel {at[0]}, bias"
        else:
            place = f"output {at[0]}"
        raise UserError(f"{where} {place}: dC/d{what[0] if what != 'output' else 'z'} is {theirs[at]:.8g} in the file, "
                        f"but the network's kernels, pixels and label give {ours[at]:.8g}; "
                        "the file's gradients were not produced by its network")
