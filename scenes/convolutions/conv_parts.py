"""Where a CNN's parts sit in its layer list, and the maps a layer reads and makes.

A CNN's export lists its steps in order (model/conv_schema.ConvNetwork: conv2d, an
activation, pooling, flatten, dense, the output activation); example.maps[i] is step i's
output. The convolution beats ask the same few questions of it: which steps are
convolutions, what a step reads, what its output is once activated.
"""
from __future__ import annotations

import numpy as np

from nn_explainer.model import conv_formula


def conv_indices(network) -> list[int]:
    """The positions of the convolutions in the layer list, in order."""
    return [i for i, layer in enumerate(network.layers) if isinstance(layer, conv_formula.Conv2d)]


def dense_indices(network) -> list[int]:
    return [i for i, layer in enumerate(network.layers) if isinstance(layer, conv_formula.Dense)]


def input_of(network, example, index: int) -> np.ndarray:
    """What step `index` reads for this digit: the step before's output (the pixels,
    [1, 28, 28], for the first)."""
    return example.maps[index - 1] if index > 0 else example.pixels.reshape(network.shapes[0])


def activated(network, example, index: int) -> np.ndarray:
    """Step `index`'s output after the activation that follows it, if one does."""
    follows = index + 1 < len(network.layers) and isinstance(network.layers[index + 1], conv_formula.Act)
    return example.maps[index + 1] if follows else example.maps[index]


def first_kernels(network) -> np.ndarray:
    """The first convolution's kernels [out, kh, kw] (it reads one grey channel)."""
    return network.layers[conv_indices(network)[0]].weight[:, 0]


def steps_between(network, start: int, end: int) -> list[str]:
    """The kinds of the steps after `start` and before `end` (e.g. ['relu', 'maxpool'])."""
    return [network.layers[i].kind for i in range(start + 1, end)]


STEP_WORDS = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "maxpool": "max pooling",
              "avgpool": "average pooling"}


def step_words(kinds: list[str]) -> list[str]:
    """A step's kind as said and written: 'maxpool' -> 'max pooling'."""
    return [STEP_WORDS.get(kind, kind) for kind in kinds]
