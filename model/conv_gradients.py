"""A CNN's export's `kernel_gradients` section, computed with torch autograd.

The sloppy three's (or another labelled example's) cost, cross-entropy on the last
dense layer's output as training minimised it, and its gradient with respect to every
convolution's kernels and biases, in float64 on the kernels as the file holds them
(rounded to float32). The reader recomputes all of it in numpy on every read
(model/conv_backprop.py), so the two are independent computations of one definition.
"""
from __future__ import annotations

import numpy as np

from .conv_backprop import COST, KEY, conv_layers
from .conv_schema import INPUT_SHAPE, decode, encode
from .schema import round_float, round_floats
from .shapes import PIXELS


def autograd(layers, pixels, label: int):
    """(cost, dC/dz of the last dense layer [10], [(dC/dw, dC/db) per convolution]) by torch
    autograd in float64; `layers` already rounded as the file holds them."""
    import torch
    import torch.nn.functional as F

    from .conv_export import torch_module

    module = torch_module(layers).double()   # float32 numbers, exactly, as float64
    x = torch.tensor(np.asarray(pixels, dtype=np.float64).reshape(1, *INPUT_SHAPE))
    z = module[:-1](x)                       # the output activation is not in the cost
    z.retain_grad()
    cost = F.cross_entropy(z, torch.tensor([int(label)]))
    cost.backward()
    grads = [(module[i].weight.grad.numpy().copy(), module[i].bias.grad.numpy().copy()) for i in conv_layers(layers)]
    return float(cost.item()), z.grad[0].numpy().copy(), grads


def section(layers, example: dict) -> dict:
    """The section for one exported example (its id, pixels and label, as conv_export wrote it)."""
    pixels = decode(example["pixels"], (PIXELS,), "pixels")
    cost, output_dz, grads = autograd(layers, pixels, example["label"])
    return {"cost": COST,
            "digit": {"id": example["id"], "cost": round_float(cost), "output_dz": round_floats(output_dz).tolist(),
                      "kernels": [{"layer": index, "weight": encode(w), "bias": encode(b)}
                                  for index, (w, b) in zip(conv_layers(layers), grads)]}}

