"""The activation functions a network can be trained with, each defined once.

One entry per name that may appear in an export: how numpy computes it (the export's
forward pass and its check on every read), how PyTorch computes it (training, looked
up lazily so that drawing never imports torch), and how a formula writes it (the
beats that write a' = f(W a + b) or plot f). Softmax is an output activation only (a
network trained elsewhere with CrossEntropyLoss: its logits are the output layer's z,
drawn as the probabilities softmax makes of them); it is not one value per neuron, so
it has no slope of its own here, and a hidden layer never uses it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import UserError


@dataclass(frozen=True)
class Activation:
    name: str
    compute: Callable[[np.ndarray], np.ndarray]   # numpy, float64
    torch_name: str          # the torch function: torch.<torch_name>
    symbol: str              # LaTeX for f in a' = f(W a + b)
    definition: str          # LaTeX of f(x) = ...
    low: float               # the smallest value it takes (its infimum)
    high: float | None       # the largest, or None: unbounded above, drawn relative to the layer's largest
    slope: Callable[[np.ndarray], np.ndarray] = None  # numpy f'(z): backpropagation through the layer (model/backprop.py)

    @property
    def bounded(self) -> bool:
        return self.high is not None

    def __call__(self, z):
        return self.compute(np.asarray(z, dtype=np.float64))

    def derivative(self, z):
        """f'(z), numpy float64."""
        return self.slope(np.asarray(z, dtype=np.float64))

    def torch_function(self):
        import torch

        if self.name == "softmax":
            return lambda z: torch.softmax(z, dim=-1)
        return getattr(torch, self.torch_name)


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", lambda z: 1.0 / (1.0 + np.exp(-z)), "sigmoid",
                          r"\sigma", r"\sigma(x) = \frac{1}{1 + e^{-x}}", low=0.0, high=1.0,
                          slope=lambda z: (s := 1.0 / (1.0 + np.exp(-z))) * (1.0 - s)),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), "relu",
                       r"\mathrm{ReLU}", r"\mathrm{ReLU}(x) = \max(0, x)", low=0.0, high=None,
                       # at z = 0 exactly, torch's derivative of ReLU is 0: the same here
                       slope=lambda z: (z > 0).astype(np.float64)),
    "tanh": Activation("tanh", np.tanh, "tanh",
                       r"\tanh", r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", low=-1.0, high=1.0,
                       slope=lambda z: 1.0 - np.tanh(z) ** 2),
    # over the layer's last axis; shifted by the largest z, which changes nothing but overflow
    "softmax": Activation("softmax", lambda z: (e := np.exp(z - z.max(axis=-1, keepdims=True))) / e.sum(axis=-1, keepdims=True),
                          "softmax", r"\mathrm{softmax}", r"\mathrm{softmax}(\vec z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}",
                          low=0.0, high=1.0),
}
HIDDEN_ACTIVATIONS = ("sigmoid", "relu", "tanh")      # what `train --activation` and a hidden layer may use
OUTPUT_ACTIVATIONS = (*HIDDEN_ACTIVATIONS, "softmax")


def activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise UserError(f"unknown activation {name!r} (known: {', '.join(ACTIVATIONS)})") from None
