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


def number_ticks(axes, font_size: float):
    """Numbers under the x axis's ticks and beside the y axis's ends, so the curve can be
    read (0 left out of both: the scene writes the origin's once, clear of both axes)."""
    x_min, x_max, x_step = axes.x_range[:3]
    xs = [x for x in np.arange(x_min, x_max + x_step / 2, x_step) if abs(x) > 1e-9]
    axes.x_axis.add_numbers(xs, font_size=font_size, num_decimal_places=0)
    y_min, y_max = axes.y_range[:2]
    ys = [y for y in (y_min, y_max) if abs(y) > 1e-9]
    axes.y_axis.add_numbers(ys, font_size=font_size, num_decimal_places=0 if all(float(y).is_integer() for y in ys) else 1)
    return axes


def plot_activation(axes: Axes, activation, x_extent: float, **kwargs):
    return axes.plot(lambda x: float(activation(x)), x_range=[-x_extent, x_extent], **kwargs)
