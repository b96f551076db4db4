"""The network of 3Blue1Brown's first chapter: a multilayer perceptron.

Each layer computes a' = σ(W a + b). With the defaults (sizes 784-16-16-10, sigmoid
everywhere, output included) that formula is literally what the model computes, so
"the brightest output neuron is the answer" holds on screen. `relu` for the hidden
layers is the variant the chapter ends on.

`forward` returns every layer's pre-activations `zs` and activations `activations`
(the first activation being the input pixels), the values a renderer wants, as in
Nielsen's network.py. Training standardises the input pixels for speed; the mean and
standard deviation are buffers of the model, and `pixel_space_parameters` folds them
into the first layer so the exported weights act on pixel values in [0, 1].
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu}
DEFAULT_HIDDEN = (16, 16)
INPUT_SIZE, OUTPUT_SIZE = 28 * 28, 10


class MLP(nn.Module):
    def __init__(self, hidden=DEFAULT_HIDDEN, hidden_activation="sigmoid",
                 output_activation="sigmoid", input_mean=0.0, input_std=1.0):
        super().__init__()
        self.sizes = [INPUT_SIZE, *hidden, OUTPUT_SIZE]
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation
        self.layers = nn.ModuleList(nn.Linear(n_in, n_out) for n_in, n_out in zip(self.sizes, self.sizes[1:]))
        # Buffers, not constants: they travel with the checkpoint.
        self.register_buffer("input_mean", torch.tensor(float(input_mean)))
        self.register_buffer("input_std", torch.tensor(float(input_std)))

    def forward(self, pixels: torch.Tensor):
        """pixels [N, 784] in [0, 1] -> (zs, activations), one entry per layer."""
        a = pixels
        zs, activations = [], [pixels]
        x = (pixels - self.input_mean) / self.input_std
        for index, layer in enumerate(self.layers):
            z = layer(x)
            is_output = index == len(self.layers) - 1
            a = ACTIVATIONS[self.output_activation if is_output else self.hidden_activation](z)
            zs.append(z)
            activations.append(a)
            x = a
        return zs, activations

    def output_logits(self, pixels: torch.Tensor) -> torch.Tensor:
        """The output layer's z: σ is monotonic, so argmax z = argmax σ(z) = the answer."""
        return self.forward(pixels)[0][-1]

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def pixel_space_parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W [out, in], b [out]) per layer in float64, the first acting on raw pixels.

        W (x - m)/s + b = (W/s) x + (b - (m/s) W·1): the fold is exact algebra.
        """
        mean, std = float(self.input_mean), float(self.input_std)
        folded = []
        for index, layer in enumerate(self.layers):
            weight = layer.weight.detach().double().cpu().numpy()
            bias = layer.bias.detach().double().cpu().numpy()
            if index == 0:
                bias = bias - (mean / std) * weight.sum(axis=1)
                weight = weight / std
            folded.append((weight, bias))
        return folded

    def config(self) -> dict:
        return {"sizes": self.sizes, "hidden_activation": self.hidden_activation,
                "output_activation": self.output_activation}

    def __repr__(self):
        shape = "-".join(map(str, self.sizes))
        return f"MLP({shape}, hidden={self.hidden_activation}, output={self.output_activation}, {self.parameter_count()} parameters)"
