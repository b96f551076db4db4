"""The network as its formula, a' = f(W a + b), in numpy float64.

The one forward pass outside PyTorch: the exporter computes every example's z and a
with it, and the export reader runs it again on every read to refuse a file whose
numbers it did not produce. It needs no torch, so drawing a scene never imports it.
"""
from __future__ import annotations

import numpy as np

from .activations import activation


def forward(weights, biases, hidden_activation: str, output_activation: str,
            pixels: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(zs, activations) for pixels [N, 784] or [784]: activations[0] is the pixels."""
    hidden, output = activation(hidden_activation), activation(output_activation)
    a = np.asarray(pixels, dtype=np.float64)
    zs, activations = [], [a]
    for index, (w, b) in enumerate(zip(weights, biases)):
        z = a @ np.asarray(w, dtype=np.float64).T + np.asarray(b, dtype=np.float64)
        a = (output if index == len(weights) - 1 else hidden)(z)
        zs.append(z)
        activations.append(a)
    return zs, activations
