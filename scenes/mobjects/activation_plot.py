"""Axes and the curve of an activation function, sized to hold the values shown on them."""
from __future__ import annotations

import numpy as np
from manim import Axes


def activation_axes(x_extent: float, y_range=(0, 1, 0.5), width: float = 9.0, height: float = 4.2) -> Axes:
    """Axes for an activation function, wide enough to hold x_extent on both sides."""
    step = max(1, int(np.ceil(x_extent / 4)))
    return Axes(x_range=[-x_extent, x_extent, step], y_range=list(y_range), x_length=width, y_length=height,
                axis_config={"include_numbers": False, "stroke_width": 2}, tips=False)


def axes_for(activation, x_extent: float, **kwargs) -> Axes:
    """Bounded functions from their lowest to their highest value (sigmoid 0..1, tanh
    -1..1); unbounded ones (ReLU) as high as the x range reaches."""
    if activation.bounded:
        low, high = activation.low, activation.high
        return activation_axes(x_extent, y_range=(low, high, (high - low) / 2), **kwargs)
    top = float(np.ceil(x_extent))
    return activation_axes(x_extent, y_range=(0, top, max(1.0, np.ceil(top / 4))), **kwargs)


def plot_activation(axes: Axes, activation, x_extent: float, **kwargs):
    return axes.plot(lambda x: float(activation(x)), x_range=[-x_extent, x_extent], **kwargs)
