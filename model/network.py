"""The network of 3Blue1Brown's first chapter: a multilayer perceptron.

Each layer computes a' = σ(W a + b). With the defaults (sizes 784-16-16-10, sigmoid
everywhere, output included) that formula is literally what the model computes, so
"the brightest output neuron is the answer" holds on screen. `relu` for the hidden
layers is the variant the chapter ends on.

`forward` returns every layer's pre-activations `zs` and activations `activations`
(the first activation being the input pixels), the values a renderer wants, as in
Nielsen's network.py.

Two things help training and vanish at export, because both are affine maps that
fold exactly into a neighbouring W and b (`pixel_space_parameters`):
- the input pixels are standardised (one mean and standard deviation, kept as buffers);
- each hidden layer's z passes through batch normalisation, z -> γ (z - μ)/σ + β,
  which makes the sigmoid layers far easier to optimise. In eval mode μ and σ are
  fixed running statistics, so the whole thing is again just W' a + b'.
The exported network is therefore a plain 784-16-16-10 MLP acting on pixels in [0, 1].
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .activations import activation
from .shapes import CLASSES as OUTPUT_SIZE, DEFAULT_HIDDEN, PIXELS as INPUT_SIZE


class MLP(nn.Module):
    def __init__(self, hidden=DEFAULT_HIDDEN, hidden_activation="sigmoid",
                 output_activation="sigmoid", input_mean=0.0, input_std=1.0, batch_norm=True):
        super().__init__()
        self.sizes = [INPUT_SIZE, *hidden, OUTPUT_SIZE]
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation
        self.batch_norm = batch_norm
        self.functions = {False: activation(hidden_activation).torch_function(),
                          True: activation(output_activation).torch_function()}
        self.layers = nn.ModuleList(nn.Linear(n_in, n_out) for n_in, n_out in zip(self.sizes, self.sizes[1:]))
        self.norms = nn.ModuleList(nn.BatchNorm1d(size) for size in hidden) if batch_norm else None
        # Buffers, not constants: they travel with the checkpoint.
        self.register_buffer("input_mean", torch.tensor(float(input_mean)))
        self.register_buffer("input_std", torch.tensor(float(input_std)))

    def forward(self, pixels: torch.Tensor):
        """pixels [N, 784] in [0, 1] -> (zs, activations), one entry per layer."""
        zs, activations = [], [pixels]
        x = (pixels - self.input_mean) / self.input_std
        for index, layer in enumerate(self.layers):
            z = layer(x)
            is_output = index == len(self.layers) - 1
            if self.norms is not None and not is_output:
                z = self.norms[index](z)
            x = self.functions[is_output](z)
            zs.append(z)
            activations.append(x)
        return zs, activations

    def output_logits(self, pixels: torch.Tensor) -> torch.Tensor:
        """The output layer's z: σ is monotonic, so argmax z = argmax σ(z) = the answer."""
        return self.forward(pixels)[0][-1]

    def parameter_count(self) -> int:
        """Weights and biases of the exported network (batch norm folds into them)."""
        return sum(layer.weight.numel() + layer.bias.numel() for layer in self.layers)

    def pixel_space_parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W [out, in], b [out]) per layer in float64: the plain MLP the model computes
        in eval mode, its first layer acting on raw pixels in [0, 1].

        Input: W (x - m)/s + b = (W/s) x + (b - (m/s) W·1).
        Batch norm: γ (W x + b - μ)/√(σ² + ε) + β = (k W) x + (k (b - μ) + β), k = γ/√(σ² + ε).
        Both folds are exact algebra.
        """
        mean, std = float(self.input_mean), float(self.input_std)
        folded = []
        for index, layer in enumerate(self.layers):
            weight = layer.weight.detach().double().cpu().numpy()
            bias = layer.bias.detach().double().cpu().numpy()
            if index == 0:
                bias = bias - (mean / std) * weight.sum(axis=1)
                weight = weight / std
            if self.norms is not None and index < len(self.norms):
                norm = self.norms[index]
                scale = (norm.weight.detach().double() / torch.sqrt(norm.running_var.double() + norm.eps)).cpu().numpy()
                bias = scale * (bias - norm.running_mean.double().cpu().numpy()) + norm.bias.detach().double().cpu().numpy()
                weight = scale[:, None] * weight
            folded.append((weight, bias))
        return folded

    def config(self) -> dict:
        return {"sizes": self.sizes, "hidden_activation": self.hidden_activation,
                "output_activation": self.output_activation}

    def __repr__(self):
        shape = "-".join(map(str, self.sizes))
        return f"MLP({shape}, hidden={self.hidden_activation}, output={self.output_activation}, {self.parameter_count()} parameters)"
