"""A CNN's dense layers as chapter one's diagram draws them: a network of sizes and weights.

After the flatten, a CNN is an MLP: a vector of numbers (the maps laid end to end), dense
layers, the output activation. `dense_part` gives that part in the shape NetworkDiagram
reads (`sizes`, `weights`, `biases`, the activations' names; an example's `a` per layer),
every number the export's own: a[0] is the flatten's output, a[l] dense layer l's output
after its activation (example.maps). The diagram draws its input column as a layer like
any other (`input_blocks=False`): the flattened vector's most active values.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn_explainer.model import conv_formula
from .conv_parts import activated, dense_indices


@dataclass(frozen=True)
class DenseNetwork:
    sizes: list            # the flattened vector's length, then each dense layer's width
    weights: list          # [out, in] per dense layer
    biases: list
    hidden_activation: str
    output_activation: str


@dataclass(frozen=True)
class DenseExample:
    a: list                # a[0] the flattened maps; a[l] dense layer l after its activation
    pixels: np.ndarray
    prediction: int


def flatten_index(network) -> int:
    return next(i for i, layer in enumerate(network.layers) if isinstance(layer, conv_formula.Flatten))


def dense_part(network, example) -> tuple[DenseNetwork, DenseExample]:
    flatten = flatten_index(network)
    dense = [i for i in dense_indices(network) if i > flatten]
    layers = [network.layers[i] for i in dense]
    part = DenseNetwork([network.shapes[flatten + 1][0], *[layer.weight.shape[0] for layer in layers]],
                        [layer.weight for layer in layers], [layer.bias for layer in layers],
                        network.hidden_activation, network.output_activation)
    values = [example.maps[flatten], *[activated(network, example, i) for i in dense]]
    return part, DenseExample(values, example.pixels, int(example.prediction))
