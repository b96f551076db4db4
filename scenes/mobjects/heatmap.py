"""A 28x28 heatmap of one neuron's incoming weights, and its legend.

Blue squares for positive weights, red for negative, opacity = |w| relative to the
largest |w| of the map. As with edges, Cairo pays per mobject: squares of the same
sign and strength step share one mobject (`HEATMAP_LEVELS` steps a sign).
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, UP, Square, Text, VGroup, VMobject

from scenes import style
from .input_blocks import SIDE
from .pixel_grid import cell_run_points, grid_lines


def heat_levels(values: np.ndarray, scale: float) -> np.ndarray:
    """Step 0..HEATMAP_LEVELS-1 of |value| / scale."""
    relative = np.clip(np.abs(values) / (scale or 1.0), 0, 1)
    return np.minimum((relative * style.HEATMAP_LEVELS).astype(int), style.HEATMAP_LEVELS - 1)


def level_opacity(level: int) -> float:
    return (level + 1) / style.HEATMAP_LEVELS


class WeightHeatmap(VGroup):
    """784 weights as a 28x28 picture. `weights[p]` is drawn at pixel p (row-major).

    `scale`: the |w| drawn at full strength (default: this map's largest |w|); give
    maps that are compared side by side the same scale.
    """

    def __init__(self, weights, size: float = style.HEATMAP_SIZE, scale: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        self.full_scale = float(scale if scale is not None else np.abs(self.weights).max())
        levels = heat_levels(self.weights, self.full_scale)
        self.patches = VGroup()
        for positive in (True, False):
            for level in range(style.HEATMAP_LEVELS):
                members = np.flatnonzero(((self.weights >= 0) == positive) & (levels == level))
                if len(members) == 0:
                    continue
                patch = VMobject(stroke_width=0).set_fill(style.POSITIVE if positive else style.NEGATIVE,
                                                        opacity=level_opacity(level))
                patch.set_points(cell_run_points(members, SIDE, size))
                patch.pixel_indices = members
                self.patches.add(patch)
        frame = grid_lines(size, 1).set_stroke(style.PIXEL_STROKE, width=1, opacity=0.6)
        self.add(self.patches, frame)

    def drawn_colour(self, index: int):
        """(colour, opacity) pixel `index` is drawn with."""
        for patch in self.patches:
            if index in patch.pixel_indices:
                return patch.get_fill_color(), float(patch.get_fill_opacity())
        raise KeyError(index)


class HeatmapLegend(VGroup):
    """A strip from -scale (red) through 0 to +scale (blue), with its end values."""

    def __init__(self, scale: float, width: float = 3.0, steps: int = 2 * style.HEATMAP_LEVELS, typography=None,
                 **kwargs):
        super().__init__(**kwargs)
        size = (typography or style.VIDEO).small
        values = np.linspace(-scale, scale, steps)
        cell = width / steps
        strip = VGroup()
        for value in values:
            level = heat_levels(np.array([value]), scale)[0]
            square = Square(side_length=cell, stroke_width=0)
            square.set_fill(style.POSITIVE if value >= 0 else style.NEGATIVE, opacity=level_opacity(level))
            strip.add(square)
        strip.arrange(RIGHT, buff=0)
        low = Text(f"{-scale:.2f}", font_size=size).next_to(strip, DOWN, 0.1).align_to(strip, [-1, 0, 0])
        high = Text(f"+{scale:.2f}", font_size=size).next_to(strip, DOWN, 0.1).align_to(strip, [1, 0, 0])
        zero = Text("0", font_size=size).next_to(strip, DOWN, 0.1)
        caption = Text("weight", font_size=size).next_to(strip, UP, 0.1)
        self.add(strip, low, zero, high, caption)
