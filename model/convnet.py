"""Our own small convolutional network: `render.py train --conv 8,16`.

The flag reads as the architecture: for each number, a 3x3 convolution making that many
feature maps (zero padding 1, so a map keeps its side), ReLU, then 2x2 max pooling; then
one dense layer to the ten digits, trained with cross-entropy on its logits and drawn as
their softmax. `--conv 8,16`: 1x28x28 -> 8x28x28 -> 8x14x14 -> 16x14x14 -> 16x7x7 -> 784 -> 10.

As the MLP's (network.py), a BatchNorm2d after each convolution helps training and
vanishes at export, folded exactly into the convolution's kernels and bias (it acts after
the convolution, per map: k = γ/√(σ² + ε), W' = k W, b' = k (b - μ) + β). The input is
*not* standardised: with zero padding, (x - m)/s does not fold into a convolution (the
padded border would be read as pixel value m, not 0), and Adam copes with pixels in [0, 1].
"""
from __future__ import annotations

import torch
from torch import nn

from . import conv_formula
from .conv_plan import KERNEL, PADDING, POOL, side_after
from .shapes import CLASSES, IMAGE_SIDE

class ConvNet(nn.Module):
    def __init__(self, channels=(8, 16), hidden_activation="relu", batch_norm=True):
        super().__init__()
        self.channels = [int(c) for c in channels]
        self.hidden_activation = hidden_activation
        self.output_activation = "softmax"
        self.batch_norm = batch_norm
        ins = [1, *self.channels[:-1]]
        self.convs = nn.ModuleList(nn.Conv2d(i, o, KERNEL, padding=PADDING) for i, o in zip(ins, self.channels))
        self.norms = nn.ModuleList(nn.BatchNorm2d(o) for o in self.channels) if batch_norm else None
        self.dense = nn.Linear(self.channels[-1] * side_after(len(self.channels)) ** 2, CLASSES)
        self.function = getattr(torch, hidden_activation)

    def output_logits(self, pixels: torch.Tensor) -> torch.Tensor:
        """pixels [N, 784] (or [N, 1, 28, 28]) in [0, 1] -> the dense layer's z [N, 10]."""
        x = pixels.reshape(len(pixels), 1, IMAGE_SIDE, IMAGE_SIDE)
        for index, conv in enumerate(self.convs):
            x = conv(x)
            if self.norms is not None:
                x = self.norms[index](x)
            x = nn.functional.max_pool2d(self.function(x), POOL)
        return self.dense(torch.flatten(x, 1))

    def parameter_count(self) -> int:
        """Weights and biases of the exported network (batch norm folds into them)."""
        return sum(p.numel() for module in (*self.convs, self.dense) for p in module.parameters())

    def layer_list(self) -> tuple[list, list]:
        """(layers, names) as conv_formula computes them, float64, batch norm folded."""
        layers, names = [], []
        for index, conv in enumerate(self.convs):
            weight = conv.weight.detach().double().cpu().numpy()
            bias = conv.bias.detach().double().cpu().numpy()
            if self.norms is not None:
                norm = self.norms[index]
                scale = (norm.weight.detach().double() / torch.sqrt(norm.running_var.double() + norm.eps)).cpu().numpy()
                bias = scale * (bias - norm.running_mean.double().cpu().numpy()) + norm.bias.detach().double().cpu().numpy()
                weight = scale[:, None, None, None] * weight
            layers += [conv_formula.Conv2d(weight, bias, (1, 1), (PADDING, PADDING)), conv_formula.Act(self.hidden_activation),
                       conv_formula.Pool("maxpool", (POOL, POOL), (POOL, POOL))]
            names += [f"conv{index + 1}", None, None]
        layers += [conv_formula.Flatten(),
                   conv_formula.Dense(self.dense.weight.detach().double().cpu().numpy(),
                                      self.dense.bias.detach().double().cpu().numpy()),
                   conv_formula.Act(self.output_activation)]
        names += [None, "dense", None]
        return layers, names

    def config(self) -> dict:
        return {"conv": self.channels, "hidden_activation": self.hidden_activation,
                "output_activation": self.output_activation}

    def __repr__(self):
        maps = "-".join(map(str, self.channels))
        return f"ConvNet(conv {maps}, 3x3 {self.hidden_activation}, 2x2 max pooling, dense to {CLASSES}, " \
               f"{self.parameter_count()} parameters)"
