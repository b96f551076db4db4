"""What the convolution beats zoom in on, chosen from the export's numbers (numpy only).

- the first convolution's kernel whose map reaches the highest value on the digit, and
  the position where it does: the sliding window stops there and writes its products;
- the activation after that convolution (ReLU zeroes the negatives: how many, counted);
- the first pooling layer, the map it pools and the window whose kept value is that
  pooled map's largest.
Every beat of the chapter reads these, so the picture and the words agree.
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from nn_explainer.model.conv_formula import Act, Conv2d, Pool


def first_index(network, kind, after: int = -1) -> int | None:
    """The index of the first layer of this class after layer `after`, or None."""
    return next((i for i, layer in enumerate(network.layers) if i > after and isinstance(layer, kind)), None)


@dataclass(frozen=True)
class ChosenKernel:
    layer: int              # index of the first Conv2d in network.layers
    channel: int            # which of its output maps
    channels: int           # how many it makes
    weight: np.ndarray      # [kh, kw] (the input is one grey channel)
    bias: float
    stride: tuple
    padding: tuple
    row: int                # the position where its map is highest
    col: int
    value: float            # the map's value there, as exported

    @property
    def side(self) -> tuple:
        return self.weight.shape

    def window(self, pixels: np.ndarray) -> np.ndarray:
        """[kh, kw]: the padded input under the window at (row, col) (zeros outside the digit)."""
        return window_at(padded_digit(pixels, self.padding), self.side, self.stride, self.row, self.col)


def padded_digit(pixels: np.ndarray, padding: tuple) -> np.ndarray:
    """The digit as the convolution reads it: 28x28 (side from the pixels) with `padding`
    rows and columns of zeros around it."""
    side = int(round(np.sqrt(len(pixels))))
    (ph, pw) = padding
    return np.pad(np.asarray(pixels, dtype=np.float64).reshape(side, side), ((ph, ph), (pw, pw)))


def window_at(padded: np.ndarray, side: tuple, stride: tuple, row: int, col: int) -> np.ndarray:
    top, left = row * stride[0], col * stride[1]
    return padded[top:top + side[0], left:left + side[1]]


def chosen_kernel(story) -> ChosenKernel:
    network, example = story.network, story.example
    layer = first_index(network, Conv2d)
    conv, maps = network.layers[layer], example.maps[layer]
    peaks = maps.reshape(len(maps), -1).max(axis=1)
    channel = int(np.argmax(peaks))
    row, col = (int(v) for v in np.unravel_index(int(np.argmax(maps[channel])), maps[channel].shape))
    return ChosenKernel(layer, channel, len(maps), conv.weight[channel, 0], float(conv.bias[channel]),
                        tuple(conv.stride), tuple(conv.padding), row, col, float(maps[channel, row, col]))


@dataclass(frozen=True)
class Activated:
    """The first convolution's maps before and after the activation that follows it."""

    name: str               # relu, tanh, sigmoid
    before: np.ndarray      # [C, H, W]
    after: np.ndarray

    @property
    def zeroed(self) -> int:
        """Values the activation made zero that were not zero before (ReLU: the negatives)."""
        return int(np.count_nonzero((self.after == 0) & (self.before != 0)))


def activated(story) -> Activated | None:
    """None if no activation follows the first convolution before the next weighted layer."""
    network, maps = story.network, story.example.maps
    conv = first_index(network, Conv2d)
    index = conv + 1
    if index < len(network.layers) and isinstance(network.layers[index], Act):
        return Activated(network.layers[index].name, maps[index - 1], maps[index])
    return None


@dataclass(frozen=True)
class PoolWindow:
    layer: int              # index of the first pooling layer
    kind: str               # maxpool / avgpool
    kernel: tuple
    stride: tuple
    padding: tuple
    before: np.ndarray      # [C, H, W]: the maps it pools
    after: np.ndarray       # [C, H', W']: the pooled maps, as exported
    channel: int            # the map shown
    row: int                # the window whose kept value is that pooled map's largest
    col: int

    @property
    def values(self) -> np.ndarray:
        """[kh, kw]: the window's values (padding: -inf for the largest, 0 for the mean)."""
        fill = -np.inf if self.kind == "maxpool" else 0.0
        (ph, pw) = self.padding
        padded = np.pad(self.before[self.channel], ((ph, ph), (pw, pw)), constant_values=fill)
        return window_at(padded, self.kernel, self.stride, self.row, self.col)

    @property
    def kept(self) -> float:
        """The pooled map's value there, as exported."""
        return float(self.after[self.channel, self.row, self.col])


def pool_window(story) -> PoolWindow | None:
    network, maps = story.network, story.example.maps
    index = first_index(network, Pool)
    if index is None:
        return None
    pool, after = network.layers[index], maps[index]
    before = maps[index - 1] if index else story.example.pixels.reshape(network.shapes[0])   # pooling the digit itself
    conv = first_index(network, Conv2d)
    second = first_index(network, Conv2d, conv)
    # The kernel's own map when the pooling reads the first convolution's maps; else the
    # map whose pooled values are largest.
    if conv < index and (second is None or second > index):
        channel = chosen_kernel(story).channel
    else:
        channel = int(np.argmax(after.reshape(len(after), -1).max(axis=1)))
    row, col = (int(v) for v in np.unravel_index(int(np.argmax(after[channel])), after[channel].shape))
    return PoolWindow(index, pool.kind, tuple(pool.kernel), tuple(pool.stride), tuple(pool.padding), before, after,
                      channel, row, col)


def most_active(maps: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` maps of largest mean |value|, in channel order."""
    if len(maps) <= count:
        return np.arange(len(maps))
    strength = np.abs(maps.reshape(len(maps), -1)).mean(axis=1)
    return np.sort(np.argsort(-strength, kind="stable")[:count])


def layer_title(network, index: int) -> str:
    """How the screen names a layer: the model's own name ('conv1'), else its place."""
    name = network.names[index]
    return name if name else f"layer {index + 1}"


def layer_scale(maps: np.ndarray) -> float:
    """The one colour scale of a layer's maps: their largest |value| (1 if all are zero)."""
    largest = float(np.abs(maps).max())
    return largest if largest > 0 else 1.0


def digit_words(story) -> str:
    """The digit as the narration names it: "our sloppy three" for the chapter's own
    (train:7, a three), else "this seven" by its label, or "this digit"."""
    from nn_explainer.scenes.speech import spoken
    from nn_explainer.scenes.settings import DEFAULT_DIGIT

    label = story.example.label
    if story.settings.digit == DEFAULT_DIGIT and label == 3:
        return "our sloppy three"
    return f"this {spoken.integer(label)}" if label is not None else "this digit"
