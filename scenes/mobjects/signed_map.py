"""A feature map or a kernel as one picture: one pixel per value, blue positive, red negative.

The convolution beats draw many small maps (a layer's inputs, kernels, responses): each
is ONE ImageMobject, scaled up without smoothing, so Cairo composites a picture instead
of tracing a square per value. Its pixels are feature_maps.map_pixels': the weight
heatmaps' colours and levels (heatmap.py), so a map and a heatmap of weights read the
same way, and a zero (ReLU's, padding's) is background; maps compared side by side
share a `scale`. `StepEdge` draws an oriented edge (the hope of WhatKernelsLookFor) in
the grey of made-up pictures.
"""
from __future__ import annotations

import numpy as np
from manim import Group, Rectangle, Square

from nn_explainer.scenes import style
from .feature_maps import map_pixels, pixel_picture


class SignedMap(Group):
    """`values` [rows, cols] as a picture `size` high (cells square), framed. `scale`:
    the |value| drawn at full strength (default: this map's largest)."""

    def __init__(self, values, size: float = 1.0, scale: float | None = None, frame_colour=style.PIXEL_STROKE,
                 **kwargs):
        super().__init__(**kwargs)
        self.values = np.asarray(values, dtype=np.float64)
        self.full_scale = float(scale if scale is not None else np.abs(self.values).max()) or 1.0
        rows, cols = self.values.shape
        self.picture = pixel_picture(map_pixels(self.values, self.full_scale), size, size * cols / rows)
        self.frame = Rectangle(height=size, width=size * cols / rows, stroke_color=frame_colour, stroke_width=1,
                               stroke_opacity=0.6)
        self.add(self.picture, self.frame)

    def cell(self, row: int, col: int, colour=style.HIGHLIGHT, stroke_width: float = 3) -> Square:
        """A square outlining cell (row, col), where it is drawn now."""
        rows, cols = self.values.shape
        side = self.frame.height / rows
        left, top = self.frame.get_left()[0], self.frame.get_top()[1]
        return Square(side_length=side, stroke_color=colour, stroke_width=stroke_width).move_to(
            [left + (col + 0.5) * side, top - (row + 0.5) * side, 0])

    def drawn_alpha(self) -> np.ndarray:
        """Each value's opacity as drawn (0-1): what the picture shows."""
        return self.picture.get_pixel_array()[..., 3] / 255


class StepEdge(Group):
    """An oriented edge kernel (+1 / 0 / -1, model/edge_fit.py) in greys: light where +1,
    dark where -1, mid grey on the line; `size` high."""

    def __init__(self, edge: np.ndarray, size: float = 0.6, **kwargs):
        super().__init__(**kwargs)
        edge = np.asarray(edge, dtype=np.float64)
        grey = np.rint(255 * (0.45 + 0.4 * edge)).astype(np.uint8)
        pixels = np.dstack([grey, grey, grey, np.full(edge.shape, 255, np.uint8)])
        rows, cols = edge.shape
        self.add(pixel_picture(pixels, size, size * cols / rows),
                 Rectangle(height=size, width=size * cols / rows, stroke_color=style.HOPE_COLOUR, stroke_width=1))
