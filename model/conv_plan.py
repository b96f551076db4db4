"""What `render.py train --conv 8,16` means, in numbers, without importing torch.

Each number is one stage: a 3x3 convolution (zero padding 1) making that many feature
maps, the activation, 2x2 max pooling; then one dense layer to the ten digits. The sizes
are checked against model/limits.py here, before anything is built: by the CLI, by
training, and by a checkpoint's reader (which must not cost torch's import).
"""
from __future__ import annotations

from . import limits
from .conv_formula import output_size
from .errors import UserError
from .shapes import CLASSES, IMAGE_SIDE

KERNEL, PADDING, POOL = 3, 1, 2


def side_after(stages: int) -> int:
    """A map's side after this many convolution-and-pooling stages (28 -> 14 -> 7 -> 3 ...)."""
    side = IMAGE_SIDE
    for _ in range(stages):
        side = output_size(side, KERNEL, 1, PADDING) // POOL
    return side


MAX_STAGES = max(n for n in range(1, 10) if side_after(n) >= 1)   # 4: 28 -> 14 -> 7 -> 3 -> 1


def parameter_count(channels) -> int:
    """The exported network's weights and biases."""
    ins = [1, *channels[:-1]]
    count = sum(o * (i * KERNEL * KERNEL + 1) for i, o in zip(ins, channels))
    return count + CLASSES * (channels[-1] * side_after(len(channels)) ** 2 + 1)


def check_channels(channels, what: str = "--conv") -> None:
    text = f"{what} {','.join(map(str, channels))}"
    if not 1 <= len(channels) <= MAX_STAGES:
        raise UserError(f"{text}: 1-{MAX_STAGES} convolutions ({IMAGE_SIDE} pixels halve to 1 by then)")
    if any(not 1 <= c <= limits.MAX_CHANNELS for c in channels):
        raise UserError(f"{text}: each convolution makes 1-{limits.MAX_CHANNELS} feature maps")
    if parameter_count(channels) > limits.MAX_PARAMETERS:
        raise UserError(f"{text}: {parameter_count(channels):,} parameters, over the limit of {limits.MAX_PARAMETERS:,}")
