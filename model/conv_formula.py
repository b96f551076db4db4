"""A convolutional network as its arithmetic, in numpy float64, beside the MLP's formula.

The one forward pass of a CNN outside PyTorch: the exporter computes every example's
feature maps with it, and the export reader runs it again on every read to refuse a
file whose numbers it did not produce (model/conv_schema.py). Like formula.py it needs
no torch. Each layer is one step of PyTorch's own definitions, written out:

- Conv2d (groups and dilation 1): out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v
  w[o, c, u, v] · x_padded[n, c, i·sh + u, j·sw + v], zero padding;
- MaxPool2d / AvgPool2d: the largest / mean value of each window (padding is -∞ for the
  largest and 0 for the mean, counted in the mean as torch's count_include_pad does);
- Flatten: channel, then row, then column (C×H×W, torch.flatten's order);
- Dense: W a + b, as formula.py;
- an activation (activations.py): element by element, softmax over the last axis.

Shapes follow torch's floor rule: out = (in + 2 p - k) // s + 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import activation
from .errors import UserError


@dataclass(frozen=True)
class Conv2d:
    weight: np.ndarray          # [out_channels, in_channels, kh, kw], float64
    bias: np.ndarray            # [out_channels]
    stride: tuple = (1, 1)
    padding: tuple = (0, 0)

    kind = "conv2d"


@dataclass(frozen=True)
class Pool:
    kind: str                   # "maxpool" or "avgpool"
    kernel: tuple
    stride: tuple
    padding: tuple = (0, 0)


@dataclass(frozen=True)
class Flatten:
    kind = "flatten"


@dataclass(frozen=True)
class Dense:
    weight: np.ndarray          # [out, in]
    bias: np.ndarray            # [out]

    kind = "dense"


@dataclass(frozen=True)
class Act:
    name: str                   # sigmoid, relu, tanh, softmax (activations.py)

    @property
    def kind(self) -> str:
        return self.name


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """torch's rule for one side of a convolution's or a pooling's output."""
    return (size + 2 * padding - kernel) // stride + 1


def output_shape(layer, shape: tuple) -> tuple:
    """The shape (without the batch) one layer makes of `shape`, refusing a mismatch in
    words; computed before any map is allocated."""
    if isinstance(layer, Conv2d):
        channels, height, width = _map_shape(shape, "a convolution")
        out_channels, in_channels, kh, kw = layer.weight.shape
        if in_channels != channels:
            raise UserError(f"a convolution takes {in_channels} channels, but the layer before gives {channels}")
        return (out_channels, *_window_sides((height, width), (kh, kw), layer.stride, layer.padding))
    if isinstance(layer, Pool):
        channels, height, width = _map_shape(shape, "a pooling")
        return (channels, *_window_sides((height, width), layer.kernel, layer.stride, layer.padding))
    if isinstance(layer, Flatten):
        return (int(np.prod(shape)),)
    if isinstance(layer, Dense):
        if len(shape) != 1 or shape[0] != layer.weight.shape[1]:
            raise UserError(f"a dense layer takes {layer.weight.shape[1]} inputs, but the layer before gives "
                            f"{'x'.join(map(str, shape))} (flatten first)")
        return (layer.weight.shape[0],)
    return tuple(shape)  # an activation keeps the shape


def _map_shape(shape: tuple, what: str) -> tuple:
    if len(shape) != 3:
        raise UserError(f"{what} needs channels x height x width, but the layer before gives {'x'.join(map(str, shape))}")
    return shape


def _window_sides(sides, kernel, stride, padding) -> tuple:
    out = tuple(output_size(n, k, s, p) for n, k, s, p in zip(sides, kernel, stride, padding))
    if min(out) < 1:
        raise UserError(f"a {kernel[0]}x{kernel[1]} window does not fit a {sides[0]}x{sides[1]} map")
    return out


def forward(layers, pixels: np.ndarray) -> list[np.ndarray]:
    """Every layer's output for a batch of maps [N, C, H, W] (the first is the input)."""
    x = np.asarray(pixels, dtype=np.float64)
    outputs = [x]
    for layer in layers:
        x = apply(layer, x)
        outputs.append(x)
    return outputs


def apply(layer, x: np.ndarray) -> np.ndarray:
    """One layer on a batch."""
    if isinstance(layer, Conv2d):
        return conv2d(x, layer.weight, layer.bias, layer.stride, layer.padding)
    if isinstance(layer, Pool):
        return (max_pool2d if layer.kind == "maxpool" else avg_pool2d)(x, layer.kernel, layer.stride, layer.padding)
    if isinstance(layer, Flatten):
        return x.reshape(len(x), -1)
    if isinstance(layer, Dense):
        return x @ np.asarray(layer.weight, dtype=np.float64).T + layer.bias
    return activation(layer.name)(x)


def conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride=(1, 1), padding=(0, 0)) -> np.ndarray:
    """[N, C, H, W] -> [N, O, H', W']: each window's pixels times the kernel, summed, plus
    the bias. The windows become the rows of one matrix, so the whole batch is one matrix
    product (the kernels read once, not once per position)."""
    stride, padding = pair(stride), pair(padding)
    weight = np.asarray(weight, dtype=np.float64)
    out_channels, channels, kh, kw = weight.shape
    windows = _windows(_padded(x, padding, 0.0), (kh, kw), stride)   # [N, C, H', W', kh, kw]
    n, _, height, width = windows.shape[:4]
    rows = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * height * width, channels * kh * kw)
    out = rows @ weight.reshape(out_channels, -1).T
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64)
    return np.ascontiguousarray(out.reshape(n, height, width, out_channels).transpose(0, 3, 1, 2))


def max_pool2d(x: np.ndarray, kernel, stride=None, padding=(0, 0)) -> np.ndarray:
    kernel, stride, padding = pair(kernel), pair(stride or kernel), pair(padding)
    if stride == kernel and padding == (0, 0):  # windows side by side (the usual 2x2): one reshape, no view tricks
        return _tiles(np.asarray(x, dtype=np.float64), kernel).max(axis=(3, 5))
    return _windows(_padded(x, padding, -np.inf), kernel, stride).max(axis=(4, 5))


def avg_pool2d(x: np.ndarray, kernel, stride=None, padding=(0, 0)) -> np.ndarray:
    kernel, stride, padding = pair(kernel), pair(stride or kernel), pair(padding)
    if stride == kernel and padding == (0, 0):
        return _tiles(np.asarray(x, dtype=np.float64), kernel).mean(axis=(3, 5))
    windows = _windows(_padded(x, padding, 0.0), kernel, stride)
    return windows.sum(axis=(4, 5)) / (kernel[0] * kernel[1])


def _tiles(x: np.ndarray, kernel: tuple) -> np.ndarray:
    """[N, C, H', kh, W', kw]: the map cut into side-by-side windows (a leftover edge dropped, as torch does)."""
    n, c, height, width = x.shape
    rows, columns = height // kernel[0], width // kernel[1]
    return x[:, :, :rows * kernel[0], :columns * kernel[1]].reshape(n, c, rows, kernel[0], columns, kernel[1])


def pair(value) -> tuple:
    """(v, v) for a number, as torch reads a square kernel, stride or padding; a pair kept."""
    return (int(value), int(value)) if np.isscalar(value) else tuple(int(v) for v in value)


def _padded(x: np.ndarray, padding: tuple, fill: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if padding == (0, 0):
        return x
    ph, pw = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)


def _windows(x: np.ndarray, kernel: tuple, stride: tuple) -> np.ndarray:
    """A view [N, C, H', W', kh, kw] of every window, without copying."""
    view = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=(2, 3))
    return view[:, :, ::stride[0], ::stride[1]]
