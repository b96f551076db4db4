"""A heatmap of one neuron's incoming weights (one cell per pixel of the image), and its legend.

Blue cells for positive weights, red for negative, opacity = |w| relative to the
largest |w| of the map, in `HEATMAP_LEVELS` steps a sign. The cells are one small
picture, a pixel per cell (`IMAGE_SIDE` x `IMAGE_SIDE`), scaled up without smoothing
(nearest neighbour): square blocks of one colour, as vector squares would be, but one
image to composite instead of dozens of paths of cell runs for Cairo to trace on every
frame (16 maps fading in cost 80 ms a frame at 1080p as vectors). A fade or a change
to another map interpolates the picture's pixels.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, RESAMPLING_ALGORITHMS, RIGHT, UP, Group, ImageMobject, Square, Text, VGroup
from manim.utils.color import ManimColor

from nn_explainer.scenes import style
from nn_explainer.scenes.speech.spoken import figures
from .input_blocks import SIDE
from .pixel_grid import grid_lines


def heat_levels(values: np.ndarray, scale: float) -> np.ndarray:
    """Step 0..HEATMAP_LEVELS-1 of |value| / scale."""
    relative = np.clip(np.abs(values) / (scale or 1.0), 0, 1)
    return np.minimum((relative * style.HEATMAP_LEVELS).astype(int), style.HEATMAP_LEVELS - 1)


def level_opacity(level: int) -> float:
    return (level + 1) / style.HEATMAP_LEVELS


def heat_pixels(weights: np.ndarray, scale: float, shape: tuple = (SIDE, SIDE)) -> np.ndarray:
    """RGBA bytes, one pixel per weight (row-major, `shape`: SIDE x SIDE, or a kernel's or
    a feature map's sides): the sign's colour at its level's opacity."""
    weights = np.asarray(weights, dtype=np.float64).reshape(-1)
    levels = heat_levels(weights, scale)
    colours = np.array([ManimColor(c).to_int_rgb() for c in (style.NEGATIVE, style.POSITIVE)], dtype=np.uint8)
    pixels = np.empty((len(weights), 4), dtype=np.uint8)
    pixels[:, :3] = colours[(weights >= 0).astype(int)]
    pixels[:, 3] = np.rint(255 * level_opacity(levels))
    return pixels.reshape(*shape, 4)


class WeightHeatmap(Group):
    """The weights of one neuron as a SIDE x SIDE picture. `weights[p]` is drawn at pixel
    p (row-major).

    `scale`: the |w| drawn at full strength (default: this map's largest |w|); give
    maps that are compared side by side the same scale.
    """

    def __init__(self, weights, size: float = style.HEATMAP_SIZE, scale: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        self.full_scale = float(scale if scale is not None else np.abs(self.weights).max())
        self.cells = ImageMobject(heat_pixels(self.weights, self.full_scale))
        self.cells.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.cells.stretch_to_fit_height(size).stretch_to_fit_width(size)
        frame = grid_lines(size, 1).set_stroke(style.PIXEL_STROKE, width=1, opacity=0.6)
        self.add(self.cells, frame)

    def drawn_colour(self, index: int):
        """(colour, opacity) pixel `index` is drawn with: the picture's pixel there."""
        row, col = divmod(int(index), SIDE)
        red, green, blue, alpha = (int(v) for v in self.cells.get_pixel_array()[row, col])
        return ManimColor.from_rgb((red, green, blue)), alpha / 255


class HeatmapLegend(VGroup):
    """A strip from -scale (red) through 0 to +scale (blue), with its end values (`digits`
    decimals, three significant figures at most, as every number on screen) and what it
    measures (`caption`)."""

    def __init__(self, scale: float, width: float = 3.0, steps: int = 2 * style.HEATMAP_LEVELS, typography=None,
                 caption: str = "weight", digits: int = 2, **kwargs):
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
        low = Text(figures(-scale, digits), font_size=size).next_to(strip, DOWN, 0.1).align_to(strip, [-1, 0, 0])
        high = Text("+" + figures(scale, digits), font_size=size).next_to(strip, DOWN, 0.1).align_to(strip, [1, 0, 0])
        zero = Text("0", font_size=size).next_to(strip, DOWN, 0.1)
        caption = Text(caption, font_size=size).next_to(strip, UP, 0.1)
        self.add(strip, low, zero, high, caption)
