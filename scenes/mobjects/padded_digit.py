"""The digit as a convolution reads it: its pixels with the padding's zeros around them.

One picture, a pixel per value: the digit's ink in white (opacity = pixel value) and the
padding's rows and columns tinted a faint grey, so the zeros outside the digit show as
cells a window can cover; grid lines between the cells, one mobject.
"""
from __future__ import annotations

import numpy as np
from manim import Group
from manim.utils.color import ManimColor

from nn_explainer.scenes import style
from .feature_maps import outline, pixel_picture
from .pixel_grid import grid_lines

PADDING_COLOUR, PADDING_ALPHA = "#5a5a5a", 0.45


class PaddedDigit(Group):
    """`padded` [H, W] (the digit with `padding` zeros around it), `size` units high."""

    def __init__(self, padded: np.ndarray, padding: tuple, size: float, **kwargs):
        super().__init__(**kwargs)
        self.values = np.asarray(padded, dtype=np.float64)
        rows, cols = self.values.shape
        rgba = np.zeros((rows, cols, 4), dtype=np.uint8)
        rgba[..., :3] = ManimColor(style.NEURON_FILL).to_int_rgb()
        rgba[..., 3] = np.rint(255 * np.clip(self.values, 0, 1))
        (ph, pw) = padding
        ring = np.ones((rows, cols), dtype=bool)
        ring[ph:rows - ph, pw:cols - pw] = False
        rgba[ring, :3] = ManimColor(PADDING_COLOUR).to_int_rgb()
        rgba[ring, 3] = round(255 * PADDING_ALPHA)
        self.image = pixel_picture(rgba, size, size * cols / rows)
        # grid lines where the cells are square in number (the usual equal padding); a frame otherwise
        self.lines = (grid_lines(size, rows) if rows == cols else outline(size * cols / rows, size))
        self.add(self.image, self.lines)

    def cell(self) -> float:
        return self.image.height / self.values.shape[0]

    def window_centre(self, top: int, left: int, side: tuple) -> np.ndarray:
        """The centre of a window of `side` cells whose top-left cell is (top, left)."""
        cell = self.cell()
        x0, y0 = self.image.get_left()[0], self.image.get_top()[1]
        return np.array([x0 + (left + side[1] / 2) * cell, y0 - (top + side[0] / 2) * cell, 0])
