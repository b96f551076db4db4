"""What a CNN's forward pass shows, worked out from its layers with no drawing: the
stacks of feature maps (one per convolution, its ReLU and pooling following on it), the
one colour scale of each stack, and the dense layers after the flatten as the network
diagram reads them (`DenseTail`: an MLP's `sizes`, `weights` and activations `a`, the
flattened maps as its input). Every number is the export's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn_explainer.model import conv_formula


@dataclass(frozen=True)
class Stack:
    """The layers drawn on one stack of maps: a convolution (or a pooling with no
    convolution before it) and the activations and poolings that follow it."""
    layers: tuple            # indices into network.layers, in order
    scale: float             # the largest |value| over all their maps: the stack's one colour scale


def stacks(network, example) -> list[Stack]:
    """The stacks of the convolutional part (every layer before the Flatten)."""
    groups = []
    for index, layer in enumerate(network.layers):
        if isinstance(layer, conv_formula.Flatten):
            break
        if isinstance(layer, conv_formula.Conv2d) or not groups:
            groups.append([])
        groups[-1].append(index)
    return [Stack(tuple(group), float(max(np.abs(example.maps[i]).max() for i in group))) for group in groups]


def flatten_index(network) -> int:
    return next(i for i, layer in enumerate(network.layers) if isinstance(layer, conv_formula.Flatten))


@dataclass(frozen=True)
class DenseTail:
    """The dense layers after the flatten, as NetworkDiagram reads a network and its
    example: sizes [flattened, each dense layer's width], weights, the activation after
    the hidden ones and after the last, and `a` (the flattened maps, then each dense
    layer's activations) with the example's prediction."""
    sizes: list
    weights: list
    biases: list
    hidden_activation: str
    output_activation: str
    a: list
    prediction: int
    dense_layers: tuple      # indices into network.layers of the Dense layers


def dense_tail(network, example) -> DenseTail:
    start = flatten_index(network)
    layers = network.layers
    dense = [i for i in range(start + 1, len(layers)) if isinstance(layers[i], conv_formula.Dense)]
    after = [i + 1 if i + 1 < len(layers) and isinstance(layers[i + 1], conv_formula.Act) else i for i in dense]
    hidden = [layers[i + 1].name for i in dense[:-1] if isinstance(layers[i + 1], conv_formula.Act)]
    return DenseTail(sizes=[int(np.prod(network.shapes[start + 1]))] + [layers[i].weight.shape[0] for i in dense],
                     weights=[layers[i].weight for i in dense], biases=[layers[i].bias for i in dense],
                     hidden_activation=hidden[0] if hidden else network.hidden_activation,
                     output_activation=network.output_activation,
                     a=[np.asarray(example.maps[start]).reshape(-1)] + [np.asarray(example.maps[i]) for i in after],
                     prediction=int(example.prediction), dense_layers=tuple(dense))


def value_range(maps) -> tuple[float, float]:
    return float(np.min(maps)), float(np.max(maps))


def below_zero(maps) -> int:
    return int((np.asarray(maps) < 0).sum())
